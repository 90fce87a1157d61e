import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { VerityError } from '@verity/core';
import type { HarnessOutput } from './emmett-run';

/** The harness as the repository carries it: services/cli/bench/emmett (this file is in src/bench or dist/bench). */
const HARNESS_SOURCE = resolve(__dirname, '..', '..', 'bench', 'emmett');
const HARNESS_FILES = ['bench.mjs', 'package.json', 'package-lock.json'] as const;
/** Installed copies under the repository's .verity/ (ignored by git, Prettier, ESLint and Jest). */
const HARNESS_CACHE = resolve(HARNESS_SOURCE, '..', '..', '..', '..', '.verity', 'bench', 'emmett');

/** The harness's flags for one run; the mode is always `append`, the ReceiveStock of the gateway run. */
export interface HarnessRunOptions {
  /** A benchmark-only database: the harness drops and recreates its schema public. */
  databaseUrl: string;
  connections: number;
  skus: number;
  warmupS: number;
  durationS: number;
}

export interface EmmettHarness {
  /** The installed copy the runs start from. */
  dir: string;
  run(options: HarnessRunOptions): Promise<HarnessOutput>;
}

/** Runs a program to its end and keeps what it printed; past `timeoutMs` it is killed. */
function runToEnd(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<HarnessOutput> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      stderr += `\nkilled after ${options.timeoutMs} ms`;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (exitCode) => {
      clearTimeout(timer);
      resolvePromise({ exitCode, stdout, stderr });
    });
  });
}

/**
 * The environment of the nested `npm ci`: `npm run bench` exports its own project's settings
 * (`npm_config_local_prefix`, `npm_package_*`), which must not point the install at the root.
 */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^npm_(config_local_prefix|package_|lifecycle_|command$)/i.test(key),
    ),
  );
}

/**
 * The harness installed from its own lockfile, as it is, into `.verity/bench/emmett/<hash>`,
 * one folder per content of its files: the first run installs (`npm ci`, a few seconds), later
 * runs reuse it, and a changed harness gets a fresh folder. The install goes to a temporary
 * folder renamed at the end, so two benches starting together never see half an install.
 */
export async function installEmmettHarness(progress: (message: string) => void): Promise<EmmettHarness> {
  const hash = createHash('sha256');
  for (const file of HARNESS_FILES) hash.update(`${file}\0`).update(await readFile(join(HARNESS_SOURCE, file)));
  const dir = join(HARNESS_CACHE, hash.digest('hex').slice(0, 16));

  if (!existsSync(join(dir, 'node_modules', '.package-lock.json'))) {
    const staging = `${dir}.installing-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    for (const file of HARNESS_FILES) await copyFile(join(HARNESS_SOURCE, file), join(staging, file));
    progress(`installing the Emmett harness (npm ci) into ${dir}`);
    // No dependency of the harness needs an install script (none declares one in the lockfile).
    const installed = await runToEnd(
      'npm',
      ['ci', '--prefix', staging, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
      { cwd: staging, env: npmEnv(), timeoutMs: 300_000 },
    );
    if (installed.exitCode !== 0) {
      await rm(staging, { recursive: true, force: true });
      throw new VerityError(
        'bench_emmett_install_failed',
        `npm ci of the Emmett harness failed (exit ${installed.exitCode}): ${installed.stderr.trim().slice(-1500)}`,
      );
    }
    // Another bench may have installed the same harness meanwhile: then its copy is kept.
    await rename(staging, dir).catch(async (error: NodeJS.ErrnoException) => {
      if (!existsSync(join(dir, 'node_modules', '.package-lock.json'))) throw error;
      await rm(staging, { recursive: true, force: true });
    });
  }

  return {
    dir,
    run: (options) =>
      runToEnd(
        process.execPath,
        [
          join(dir, 'bench.mjs'),
          '--mode=append',
          `--connections=${options.connections}`,
          `--skus=${options.skus}`,
          `--warmup=${options.warmupS}`,
          `--duration=${options.durationS}`,
        ],
        // The URL goes through the environment, so the password is not on a command line.
        {
          cwd: dir,
          env: { ...process.env, EMMETT_BENCH_URL: options.databaseUrl },
          // The load, then the schema reset before it and the verification after it.
          timeoutMs: (options.warmupS + options.durationS + 120) * 1000,
        },
      ),
  };
}
