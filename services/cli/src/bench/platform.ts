import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePortBesides } from '../launcher/free-port';
import { probe } from '../launcher/ready-probe';
import {
  PROBE_INTERVAL_MS,
  READY_TIMEOUT_MS,
  STOP_GRACE_MS,
  startServiceProcess,
  type ServiceProcess,
} from '../launcher/service-processes';
import { supervise } from '../launcher/supervise';
import { SERVICE_NAMES, serviceMain, servicePort, type ServiceName } from '../services';
import { SCALED_SERVICES } from './options';

/** Where each service's processes answer, on 127.0.0.1, in start order. */
export type PlatformUrls = Partial<Record<ServiceName, string[]>>;

/** The process ids of each service's processes, in start order (the order of PlatformUrls). */
export type PlatformPids = Partial<Record<ServiceName, number[]>>;

export interface PlatformUnderTest {
  /** Resolves once every process answers /ready; rejects when one could not start (the reason is reported). */
  ready: Promise<PlatformUrls>;
  /** Once ready: each process's id, for what the bench reads of its CPU time; empty before. */
  pids(): PlatformPids;
  /** False once the stop began or a process ended by itself (reported with its last lines). */
  running(): boolean;
  /** SIGTERM to every process, SIGKILL after the grace period; once, however often it is called. */
  stop(): Promise<void>;
}

/** One process to start: a service, named so that its lines and reports say which one. */
export interface ProcessPlan {
  name: string;
  service: ServiceName;
  /** Set in its environment besides the sandbox's and its port. */
  env: Record<string, string>;
  /** Node options before its script: a V8 CPU profile when asked for. */
  nodeArgs: string[];
}

/** Where a bench writes its services' CPU profiles, and what their names start with. */
export interface CpuProfiles {
  /** An absolute folder. */
  dir: string;
  /** Tells one run's profiles from another's in the same folder: the run's topic prefix. */
  prefix: string;
}

/**
 * The processes of the chosen services in `verity start`'s order (writers first: the first
 * creates the topics), the gateway and the command-processor `instances` times each. Each
 * processor gets VERITY_INSTANCE_ID, which names its transactional producer: two live
 * instances must not share one, or each fences the other.
 */
export function processPlans(
  services: readonly ServiceName[],
  instances: number,
  cpuProfiles?: CpuProfiles,
): ProcessPlan[] {
  return SERVICE_NAMES.filter((service) => services.includes(service)).flatMap((service) => {
    const count = SCALED_SERVICES.includes(service) ? instances : 1;
    return Array.from({ length: count }, (_, i): ProcessPlan => {
      const name = count === 1 ? service : `${service}-${i + 1}`;
      return {
        name,
        service,
        env: service === 'command-processor' ? { VERITY_INSTANCE_ID: String(i + 1) } : {},
        // Written by V8 when the process exits, as it does on the bench's SIGTERM.
        nodeArgs: cpuProfiles
          ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfiles.dir}`, `--cpu-prof-name=${cpuProfileName(cpuProfiles, name)}`]
          : [],
      };
    });
  });
}

const cpuProfileName = (profiles: CpuProfiles, name: string): string => `${profiles.prefix}.${name}.cpuprofile`;

/** The file `processPlans` names a process's CPU profile. */
export const cpuProfileOf = (profiles: CpuProfiles, name: string): string =>
  join(profiles.dir, cpuProfileName(profiles, name));

/**
 * Runs each chosen service as its own process (its built `dist/main.js`, as deployed; the
 * gateway and the command-processor `instances` times), with `env` (the sandbox's) and a free
 * port of its own, started one after the other as `verity start` does, each once the one
 * before answers /health; ready once all answer /ready.
 */
export function startPlatformProcesses(
  env: NodeJS.ProcessEnv,
  services: readonly ServiceName[],
  instances: number,
  progress: (message: string) => void,
  cpuProfiles?: CpuProfiles,
): PlatformUnderTest {
  let requestStop: (reason: string) => void = () => undefined;
  const stopRequested = new Promise<string>((resolve) => (requestStop = resolve));
  let announceReady: (children: readonly ServiceProcess[]) => void = () => undefined;
  const allReady = new Promise<readonly ServiceProcess[]>((resolve) => (announceReady = resolve));
  let ended = false;
  const pids: PlatformPids = {};

  const supervised = (async (): Promise<0 | 1> => {
    const taken = new Set<number>();
    const plans = [];
    for (const { name, service, env: own, nodeArgs } of processPlans(services, instances, cpuProfiles)) {
      const port = await freePortBesides(taken);
      const { variable } = servicePort(service, env);
      plans.push({
        name,
        service,
        main: serviceMain(service),
        port,
        env: { ...env, ...own, [variable]: String(port) },
        nodeArgs,
      });
    }
    // Checked before the first start: a throw while starting would leave the started ones running.
    const missing = [...new Set(plans.filter(({ main }) => !existsSync(main)).map(({ main }) => main))];
    if (missing.length > 0) throw new Error(`not built: ${missing.join(', ')}; build first (npx turbo run build)`);
    return supervise({
      services: plans,
      start: startServiceProcess,
      started: (child) => probe(local(child), '/health'),
      ready: (child) => probe(local(child), '/ready'),
      stopRequested,
      onReady: announceReady,
      report: progress,
      readyTimeoutMs: READY_TIMEOUT_MS,
      probeIntervalMs: PROBE_INTERVAL_MS,
      graceMs: STOP_GRACE_MS,
    });
  })().finally(() => (ended = true));

  const ready = Promise.race([
    allReady,
    // The supervisor ends before every process is ready only when one could not start.
    supervised.then(() => Promise.reject(new Error('the services under test did not start (see above)'))),
  ]).then((children) => {
    const urls: PlatformUrls = {};
    for (const child of children) {
      (urls[child.service] ??= []).push(local(child));
      (pids[child.service] ??= []).push(child.pid);
    }
    return urls;
  });
  // A rejection nobody awaits (a stop during the start) must not end the bench.
  ready.catch(() => undefined);
  let stopping: Promise<void> | undefined;
  return {
    ready,
    pids: () => pids,
    running: () => !ended && stopping === undefined,
    stop: () =>
      (stopping ??= (async () => {
        requestStop('teardown');
        // The supervisor reports a failed stop itself; a throw is a failed start, which `ready` carries.
        await supervised.catch(() => undefined);
      })()),
  };
}

/** The services answer on every interface; the bench talks to them over loopback only. */
const local = (child: ServiceProcess): string => `http://127.0.0.1:${child.port}`;
