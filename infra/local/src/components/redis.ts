import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { redisPing } from '../health';
import { defaultEndpoints, host, ports } from '../ports';
import { logFileOf, pidFileOf } from '../paths';
import { livePidFromFile, spawnDetached, terminate, writePidFile } from '../processes';
import type { Component, ComponentContext } from './component';

/** A cache only: nothing is saved to disk; we manage the process, so no daemonising. */
export function redisArgs(port: number, dir: string): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    host,
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--daemonize',
    'no',
  ];
}

function locateRedisServer(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  return dirs.map((d) => join(d, 'redis-server')).find((f) => existsSync(f));
}

/** The machine's redis-server; as root on Debian, installs the package when it is missing. */
function findRedisServer(onProgress: (line: string) => void): string {
  const found = locateRedisServer();
  if (found) return found;
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    onProgress('redis: redis-server missing, installing Debian package redis-server');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-q'], { stdio: 'ignore', env });
    execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'redis-server'], {
      stdio: 'ignore',
      env,
    });
    const installed = locateRedisServer();
    if (installed) return installed;
  }
  throw new Error('redis-server not found: install it (Debian: apt-get install redis-server)');
}

export function createRedis(ctx: ComponentContext): Component {
  const { paths } = ctx;
  const dir = join(paths.data, 'redis');
  const logFile = logFileOf(paths, 'redis');
  const pidFile = pidFileOf(paths, 'redis');
  return {
    name: 'redis',
    url: defaultEndpoints.redisUrl,
    logFile,
    startTimeoutMs: 30_000,
    // redis-server rewrites its title to "redis-server 127.0.0.1:6380": the port is what marks ours.
    livePid: () => livePidFromFile(pidFile, String(ports.redis)),
    probe: () => redisPing(host, ports.redis),
    async start() {
      mkdirSync(dir, { recursive: true });
      const pid = spawnDetached({ command: findRedisServer(ctx.progress), args: redisArgs(ports.redis, dir), logFile });
      writePidFile(pidFile, pid);
      return pid;
    },
    async stop(pid) {
      await terminate(pid, 10_000);
    },
  };
}
