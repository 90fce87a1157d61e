import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runToCompletion } from './processes';

const COMPLETE_MARKER = '.complete';

/**
 * Prepares a distribution folder once: `fill` runs only when the folder lacks the marker
 * written after a successful fill, so an interrupted fetch is redone rather than trusted.
 */
export async function ensureDist(dir: string, fill: (dir: string) => Promise<void>): Promise<boolean> {
  if (existsSync(join(dir, COMPLETE_MARKER))) return false;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await fill(dir);
  writeFileSync(join(dir, COMPLETE_MARKER), `${new Date().toISOString()}\n`);
  return true;
}

export async function untar(archive: string, intoDir: string, logFile: string): Promise<void> {
  mkdirSync(intoDir, { recursive: true });
  const res = await runToCompletion({ command: 'tar', args: ['-xzf', archive, '-C', intoDir], logFile });
  if (res.code !== 0) throw new Error(`tar -xzf ${archive} failed: ${res.output.slice(-1000)}`);
}
