import { VerityError } from '@verity/core';
import { sleep } from '@verity/events';
import { freePortBesides } from '../launcher/free-port';
import { STOP_GRACE_MS, startServiceProcess } from '../launcher/service-processes';
import { serviceMain, servicePort, type ServiceName } from '../services';

/** A service's own process, as deployed, with the time since it was spawned. */
export interface TimedProcess {
  name: string;
  pid: number;
  /** Where it answers, on loopback. */
  url: string;
  /** When it was spawned (process.hrtime). */
  spawnedAt: bigint;
  /** Seconds since it was spawned. */
  elapsedS(): number;
  /** False once it has ended, by itself or by us. */
  running(): boolean;
  /** SIGKILL, as a machine dies: no shutdown hook, no flush. Resolves once it has ended. */
  kill(): Promise<void>;
  /** SIGTERM, SIGKILL after the grace period; resolves once it has ended. */
  stop(): Promise<void>;
  lastLines(): string[];
}

/**
 * Spawns a service's built `dist/main.js` as `verity start` does (its own process group, its
 * lines passed through, a free port not in `taken`), with `env` on top of which its port is set.
 */
export async function spawnTimed(
  name: string,
  service: ServiceName,
  env: NodeJS.ProcessEnv,
  taken: Set<number>,
): Promise<TimedProcess> {
  const port = await freePortBesides(taken);
  const { variable } = servicePort(service, env);
  const spawned = process.hrtime.bigint();
  const child = startServiceProcess({
    name,
    service,
    main: serviceMain(service),
    env: { ...env, [variable]: String(port) },
    port,
  });
  return {
    name,
    pid: child.pid,
    url: `http://127.0.0.1:${port}`,
    spawnedAt: spawned,
    elapsedS: () => Number(process.hrtime.bigint() - spawned) / 1e9,
    running: () => child.exit === undefined,
    async kill() {
      child.signal('SIGKILL');
      await child.exited;
    },
    async stop() {
      await child.stop(STOP_GRACE_MS);
    },
    lastLines: () => child.lastLines(),
  };
}

export interface WaitOptions {
  timeoutMs: number;
  /** Processes that must keep running meanwhile: one that ends fails the wait with its last lines. */
  alive: readonly TimedProcess[];
  intervalMs?: number;
}

/** Polls `check` until it returns something other than undefined. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const ended = options.alive.find((p) => !p.running());
    if (ended)
      throw new VerityError(
        'bench_service_ended',
        `${ended.name} ended while waiting for ${what}; its last lines:\n${ended.lastLines().join('\n')}`,
      );
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new VerityError('bench_timeout', `${what}: not within ${options.timeoutMs / 1000} s`);
    await sleep(options.intervalMs ?? 50);
  }
}

/** GET `url`'s status and body; undefined while nothing answers (a process still starting). */
export async function fetchText(url: string): Promise<{ status: number; body: string } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: await res.text() };
  } catch {
    return undefined;
  }
}
