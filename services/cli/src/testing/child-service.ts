import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Output kept for a failure's message: the tail is what explains a crash. */
const OUTPUT_LIMIT = 256 * 1024;

/**
 * A service's built `dist/main.js` run as a child process, so a test can kill it the way a
 * machine dies (SIGKILL: no shutdown hook, no flush) and start it again. Its stdout and
 * stderr go to one buffer, tagged by run, for diagnostics.
 */
export interface ChildService {
  /** Starts a new run; the previous one must be gone. */
  start(): void;
  /** SIGKILL; resolves once the process has exited. */
  kill(): Promise<void>;
  /** SIGTERM (graceful), SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
  /** Throws, with the output, when the current run exited without being asked to. */
  assertAlive(): void;
  /** Exits of runs killed by us, by signal, in order. */
  readonly kills: NodeJS.Signals[];
  output(): string;
}

export function childService(name: string, script: string, env: NodeJS.ProcessEnv): ChildService {
  if (!existsSync(script)) throw new Error(`${name}: ${script} is missing; build first (npx turbo run build)`);
  let buffer = '';
  let run = 0;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let unexpectedExit: string | undefined;
  let expectingExit = false;
  const kills: NodeJS.Signals[] = [];

  const append = (text: string): void => {
    buffer = (buffer + text).slice(-OUTPUT_LIMIT);
  };

  async function end(signal: NodeJS.Signals, graceMs?: number): Promise<void> {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    expectingExit = true;
    current.kill(signal);
    const escalate = graceMs === undefined ? undefined : setTimeout(() => current.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(escalate);
    if (signal === 'SIGKILL') kills.push(current.signalCode ?? signal);
  }

  return {
    start() {
      if (child && child.exitCode === null && child.signalCode === null)
        throw new Error(`${name}: run ${run} is still alive`);
      run += 1;
      const tag = `[${name} #${run}] `;
      expectingExit = false;
      unexpectedExit = undefined;
      const started = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      started.stdout.setEncoding('utf8').on('data', (chunk: string) => append(chunk.replace(/^(?=.)/gm, tag)));
      started.stderr.setEncoding('utf8').on('data', (chunk: string) => append(chunk.replace(/^(?=.)/gm, tag)));
      exited = new Promise((resolve) =>
        started.once('exit', (code, signal) => {
          append(`${tag}exited (code ${code}, signal ${signal})\n`);
          if (!expectingExit) unexpectedExit = `${name} run ${run} exited by itself (code ${code}, signal ${signal})`;
          resolve();
        }),
      );
      child = started;
    },
    kill: () => end('SIGKILL'),
    stop: (graceMs = 10_000) => end('SIGTERM', graceMs),
    assertAlive() {
      if (unexpectedExit) throw new Error(`${unexpectedExit}\n${buffer}`);
    },
    kills,
    output: () => buffer,
  };
}
