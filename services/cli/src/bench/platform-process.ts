/**
 * Entry of the child process that runs the platform under test, so the load generators and
 * the measured services do not share one event loop. The parent passes the services as
 * arguments and the isolated environment; we answer `{ urls }` (or `{ error }`) over IPC and
 * stop on `stop`, on a signal, or when the parent goes away.
 */
import { SERVICE_NAMES, createService, type NamedService } from '../services';

export type PlatformMessage = { urls: Record<string, string> } | { error: string };

const services = SERVICE_NAMES.filter((name) => process.argv.slice(2).includes(name)).map((name) =>
  createService(name),
);
const running: NamedService[] = [];
let stopping = false;

async function stop(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const service of [...running].reverse()) await service.stop().catch(() => undefined);
  process.exit(exitCode);
}

async function start(): Promise<void> {
  const urls: Record<string, string> = {};
  for (const service of services) {
    urls[service.name] = (await service.start()).url;
    running.push(service);
  }
  process.send?.({ urls } satisfies PlatformMessage);
}

process.on('message', (message) => message === 'stop' && void stop(0));
process.on('disconnect', () => void stop(0));
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));
start().catch((error: Error) => {
  process.send?.({ error: error.message } satisfies PlatformMessage);
  void stop(1);
});
