import { existsSync } from 'node:fs';
import { spawnNodeChild, type NodeChild } from '../launcher/child-process';

/** Output kept for a failure's message: the tail is what explains a crash. */
const OUTPUT_LIMIT = 256 * 1024;

/**
 * A service's built `dist/main.js` run as a child process, so a test can kill it the way a
 * machine dies (SIGKILL: no shutdown hook, no flush) and start it again. Its stdout and
 * stderr go to one buffer, tagged by run, for diagnostics.
 */
export interface ChildService {
  readonly name: string;
  /** Starts a new run; the previous one must be gone. */
  start(): void;
  /** SIGKILL; resolves once the process has exited. */
  kill(): Promise<void>;
  /** SIGTERM (graceful), SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
  /** Throws, with the output, when the current run exited without being asked to. */
  assertAlive(): void;
  /** The current run's pid; undefined before the first start. */
  readonly pid: number | undefined;
  /** Exits of runs killed by us, by signal, in order. */
  readonly kills: NodeJS.Signals[];
  output(): string;
}

export function childService(name: string, script: string, env: NodeJS.ProcessEnv): ChildService {
  if (!existsSync(script)) throw new Error(`${name}: ${script} is missing; build first (npx turbo run build)`);
  let buffer = '';
  let run = 0;
  let child: NodeChild | undefined;
  let unexpectedExit: string | undefined;
  let expectingExit = false;
  const kills: NodeJS.Signals[] = [];

  const append = (text: string): void => {
    buffer = (buffer + text).slice(-OUTPUT_LIMIT);
  };

  async function end(signal: NodeJS.Signals, graceMs?: number): Promise<void> {
    const current = child;
    if (!current || current.exit) return;
    expectingExit = true;
    if (graceMs === undefined) current.signal(signal);
    const exit = graceMs === undefined ? await current.exited : (await current.stop(graceMs)).exit;
    if (signal === 'SIGKILL') kills.push(exit.signal ?? signal);
  }

  return {
    name,
    start() {
      if (child && !child.exit) throw new Error(`${name}: run ${run} is still alive`);
      run += 1;
      const tag = `[${name} #${run}] `;
      const thisRun = run;
      expectingExit = false;
      unexpectedExit = undefined;
      child = spawnNodeChild({ name, script, env, onLine: (line) => append(`${tag}${line}\n`) });
      void child.exited.then(({ code, signal }) => {
        append(`${tag}exited (code ${code}, signal ${signal})\n`);
        if (!expectingExit) unexpectedExit = `${name} run ${thisRun} exited by itself (code ${code}, signal ${signal})`;
      });
    },
    kill: () => end('SIGKILL'),
    stop: (graceMs = 10_000) => end('SIGTERM', graceMs),
    assertAlive() {
      if (unexpectedExit) throw new Error(`${unexpectedExit}\n${buffer}`);
    },
    get pid() {
      return child?.pid;
    },
    kills,
    output: () => buffer,
  };
}

/** Adds the tail of each child's output to a failure's message: their own words are what explain it. */
export function appendOutputTails(error: unknown, children: readonly ChildService[], chars = 20_000): void {
  if (!(error instanceof Error)) return;
  for (const child of children)
    error.message += `\n--- ${child.name} output (tail) ---\n${child.output().slice(-chars)}`;
}
