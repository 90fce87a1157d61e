import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serviceMain, servicePort, type ServiceName } from '../services';
import { spawnNodeChild } from './child-process';
import { freePortBesides } from './free-port';
import { attributed, lineTail, type LineTail } from './output-lines';
import { probe } from './ready-probe';
import { serviceLine } from './service-line';
import type { StopOutcome } from './stop';
import { supervise, type SupervisedChild } from './supervise';

/** How long the services have, from the first start, until every one answers /ready. */
export const READY_TIMEOUT_MS = 120_000;
/** How long a service has to stop after SIGTERM before SIGKILL (the command-processor takes about 10 s). */
export const STOP_GRACE_MS = 30_000;
export const PROBE_INTERVAL_MS = 250;
/** Lines of a service's output quoted when it fails. */
const LAST_LINES = 10;
/** The preload that stops a service whose launcher died (compiled next to this file). */
export const PARENT_WATCH = join(__dirname, 'parent-watch.js');

/** What runs once every service is ready, given where each answers. */
export type WhenReady = (urls: Partial<Record<ServiceName, string>>) => Promise<void>;

export interface ServiceProcess extends SupervisedChild {
  /** Names the process in output and reports: the service, or one instance of it (`gateway-2`). */
  name: string;
  service: ServiceName;
  port: number;
  pid: number;
  stop(graceMs: number): Promise<StopOutcome>;
}

/**
 * Runs each named service's own `dist/main.js` as a child process, so the services use every
 * core: started in order, each once the one before answers /health; their logs pass through
 * (JSON lines unchanged: they name their service); the lines saying where each answers are
 * printed once all answer /ready; SIGINT/SIGTERM stops them all. Each child gets this process's environment, with the port of each service settled
 * (a port of 0 becomes a free one, so the launcher knows where to probe). Resolves with the
 * exit code: 1 when a service failed to start, ended by itself or did not stop cleanly.
 */
export async function runServiceProcesses(
  names: readonly ServiceName[],
  env: NodeJS.ProcessEnv = process.env,
  whenReady?: WhenReady,
): Promise<0 | 1> {
  const plans = names.map((name) => ({ name, main: serviceMain(name), ...servicePort(name, env) }));
  const missing = plans.filter(({ main }) => !existsSync(main)).map(({ name, main }) => `${name} (${main})`);
  if (missing.length > 0) throw new Error(`not built: ${missing.join(', ')}; build first (npx turbo run build)`);
  const taken = new Set(plans.map((p) => p.port).filter((port) => port !== 0));
  for (const plan of plans.filter((p) => p.port === 0)) plan.port = await freePortBesides(taken);
  const childEnv: NodeJS.ProcessEnv = {
    ...env,
    ...Object.fromEntries(plans.map(({ variable, port }) => [variable, String(port)])),
  };

  let requestStop: (signal: string) => void = () => undefined;
  const stopRequested = new Promise<string>((resolve) => (requestStop = resolve));
  // Kept for the whole run: a second Ctrl-C while stopping changes nothing (the stop is bounded).
  process.on('SIGINT', requestStop);
  process.on('SIGTERM', requestStop);
  const report = (message: string): void => void process.stderr.write(`verity: ${message}\n`);
  report(`starting ${names.join(', ')} (one process each)`);
  const children: ServiceProcess[] = [];
  // The services answer on every interface; the launcher asks over loopback.
  const local = (child: ServiceProcess): string => `http://127.0.0.1:${child.port}`;
  try {
    return await supervise({
      services: plans,
      start: ({ name, main, port }) => {
        const child = startServiceProcess({ name, service: name, main, env: childEnv, port });
        children.push(child);
        return child;
      },
      started: (child) => probe(local(child), '/health'),
      ready: (child) => probe(local(child), '/ready'),
      stopRequested,
      onReady: (ready) => {
        for (const child of ready)
          process.stdout.write(`${serviceLine(child.service, `http://localhost:${child.port}`)}  pid ${child.pid}\n`);
        if (whenReady) {
          const urls = Object.fromEntries(ready.map((c) => [c.service, `http://localhost:${c.port}`]));
          // The services keep running whatever it does: its failure is reported, not fatal.
          void whenReady(urls).catch((error: Error) => report(`after start: ${error.message}`));
        }
      },
      report,
      readyTimeoutMs: READY_TIMEOUT_MS,
      probeIntervalMs: PROBE_INTERVAL_MS,
      graceMs: STOP_GRACE_MS,
    });
  } finally {
    // Reached with children running only when something threw: none is left behind.
    await Promise.all(children.map((child) => child.stop(STOP_GRACE_MS)));
    process.off('SIGINT', requestStop);
    process.off('SIGTERM', requestStop);
  }
}

export interface ServiceProcessPlan {
  name: string;
  service: ServiceName;
  /** The service's built entry, `serviceMain(service)`. */
  main: string;
  /** Its whole environment, the port variable included. */
  env: NodeJS.ProcessEnv;
  /** The port it listens on, which the probes ask. */
  port: number;
  /** Node options before its script, after the parent watch. Default none. */
  nodeArgs?: readonly string[];
}

/**
 * One service's `dist/main.js` as a child process in a process group of its own (a terminal's
 * Ctrl-C reaches only us, and we stop it), stopping itself should we die; its lines pass
 * through, attributed to `name`, its last ones kept for a failure's report.
 */
export function startServiceProcess({
  name,
  service,
  main,
  env,
  port,
  nodeArgs = [],
}: ServiceProcessPlan): ServiceProcess {
  const tail: LineTail = lineTail(LAST_LINES);
  const child = spawnNodeChild({
    name,
    script: main,
    env,
    nodeArgs: ['--require', PARENT_WATCH, ...nodeArgs],
    detached: true,
    ipc: true,
    onLine: (line, stream) => {
      tail.add(line);
      (stream === 'stdout' ? process.stdout : process.stderr).write(`${attributed(name, line)}\n`);
    },
  });
  return {
    name,
    service,
    port,
    pid: child.pid,
    get exit() {
      return child.exit;
    },
    exited: child.exited,
    signal: (signal) => child.signal(signal),
    stop: (graceMs) => child.stop(graceMs),
    lastLines: () => tail.lines(),
  };
}
