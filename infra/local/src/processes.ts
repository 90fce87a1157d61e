import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Parses a pid file's content (first line, as PostgreSQL's postmaster.pid too); undefined when unusable. */
export function parsePid(text: string): number | undefined {
  const first = text.split('\n', 1)[0]?.trim() ?? '';
  if (!/^\d+$/.test(first)) return undefined;
  const pid = Number(first);
  return pid > 1 ? pid : undefined;
}

export function readPidFile(file: string): number | undefined {
  return existsSync(file) ? parsePid(readFileSync(file, 'utf8')) : undefined;
}

export function writePidFile(file: string, pid: number): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${pid}\n`);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user (PostgreSQL run as `postgres`).
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Command line of a live process, or undefined where /proc is not available. */
function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
}

/**
 * The pid from the pid file when it still names the process we started. The marker (a path
 * or address only our process has on its command line) guards against a reused pid.
 * A stale pid file is removed.
 */
export function livePidFromFile(file: string, marker: string): number | undefined {
  const pid = readPidFile(file);
  if (pid === undefined) return undefined;
  const cmdline = isAlive(pid) ? commandLineOf(pid) : undefined;
  if (isAlive(pid) && (cmdline === undefined || cmdline.includes(marker))) return pid;
  rmSync(file, { force: true });
  return undefined;
}

export interface SpawnSpec {
  command: string;
  args: string[];
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts a process that outlives the caller: its own session (detached), stdio appended to
 * the log file, and unref'd so Node's event loop does not wait for it.
 */
export function spawnDetached(spec: SpawnSpec): number {
  mkdirSync(dirname(spec.logFile), { recursive: true });
  const log = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    if (child.pid === undefined) throw new Error(`could not spawn ${spec.command}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(log);
  }
}

export interface RunResult {
  code: number | null;
  output: string;
}

/** Runs a short command to completion, appending its output to the log file and returning it too. */
export function runToCompletion(spec: SpawnSpec & { timeoutMs?: number }): Promise<RunResult> {
  mkdirSync(dirname(spec.logFile), { recursive: true });
  return new Promise((resolve, reject) => {
    // Detached so anything it daemonises (pg_ctl start) lands in its own session.
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: spec.timeoutMs,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      writeFileSync(spec.logFile, `$ ${spec.command} ${spec.args.join(' ')}\n${output}`, { flag: 'a' });
      resolve({ code, output });
    });
  });
}

/** SIGTERM, wait up to graceMs for the exit, then SIGKILL. */
export async function terminate(pid: number, graceMs: number): Promise<void> {
  if (!signal(pid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return;
    await sleep(200);
  }
  signal(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(100);
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}
