import { existsSync, readFileSync } from 'node:fs';
import type { ComponentName } from './types';

const TAIL_LINES = 20;

/** A component failed to fetch, start, become healthy or stop. The message carries the log's tail. */
export class InfraError extends Error {
  readonly code: string;
  readonly component: ComponentName;
  readonly logFile: string;

  constructor(args: { code: string; component: ComponentName; reason: string; logFile: string; cause?: unknown }) {
    const tail = tailOf(args.logFile, TAIL_LINES);
    super(
      `${args.component}: ${args.reason} (log: ${args.logFile})` +
        (tail ? `\n--- last lines of ${args.logFile} ---\n${tail}` : ''),
      args.cause === undefined ? undefined : { cause: args.cause },
    );
    this.name = 'InfraError';
    this.code = args.code;
    this.component = args.component;
    this.logFile = args.logFile;
  }
}

function tailOf(file: string, lines: number): string {
  if (!existsSync(file)) return '';
  // Only the end matters; reading the whole file is fine for logs of a dev stack's session.
  const text = readFileSync(file, 'utf8').trimEnd();
  return text.split('\n').slice(-lines).join('\n');
}
