import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { splitLines } from './output-lines';
import { stopGracefully, type ChildExit, type Signalable, type StopOutcome } from './stop';

export interface NodeChildOptions {
  /** Names the process in errors. */
  name: string;
  /** The built script to run, e.g. a service's `dist/main.js`. */
  script: string;
  /** Arguments after the script. Default none. */
  args?: readonly string[];
  env: NodeJS.ProcessEnv;
  /** Node options before the script, e.g. `['--require', preload]`. Default none. */
  nodeArgs?: readonly string[];
  /** Each complete line the process writes, without its newline. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /**
   * Its own process group, so a terminal's Ctrl-C reaches the parent only and the parent alone
   * decides how its children stop. Default false.
   */
  detached?: boolean;
  /** An IPC channel, which closes when the parent dies however it dies. Default false. */
  ipc?: boolean;
}

/** A Node.js script running as a child process, its output read line by line. */
export interface NodeChild extends Signalable {
  readonly name: string;
  readonly pid: number;
  /** How it ended; undefined while it runs. */
  readonly exit: ChildExit | undefined;
  /** SIGTERM, SIGKILL after `graceMs`; resolves once it has ended. */
  stop(graceMs: number): Promise<StopOutcome>;
}

/** Starts `node [nodeArgs] script [args]`; throws when the script is not built. */
export function spawnNodeChild(options: NodeChildOptions): NodeChild {
  const { name, script, args = [], env, nodeArgs = [], onLine, detached = false, ipc = false } = options;
  if (!existsSync(script)) throw new Error(`${name}: ${script} is missing; build first (npx turbo run build)`);
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    env,
    detached,
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const out = splitLines((line) => onLine?.(line, 'stdout'));
  const err = splitLines((line) => onLine?.(line, 'stderr'));
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => out.push(chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => err.push(chunk));
  let exit: ChildExit | undefined;
  // 'close' rather than 'exit': it comes once the output is read too, last lines included.
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('close', (code, signal) => {
      out.end();
      err.end();
      exit = { code, signal };
      resolve(exit);
    });
    // Not started at all (no 'close' follows): reported as an exit with neither code nor signal.
    child.once('error', (error) => {
      if (child.pid !== undefined) return;
      onLine?.(`could not start: ${error.message}`, 'stderr');
      exit = { code: null, signal: null };
      resolve(exit);
    });
  });
  const handle: NodeChild = {
    name,
    pid: child.pid ?? 0,
    get exit() {
      return exit;
    },
    exited,
    signal(signal) {
      if (exit === undefined) child.kill(signal);
    },
    stop: (graceMs) => stopGracefully(handle, graceMs),
  };
  return handle;
}
