/** Anything with a start and a stop: every service. */
export interface Startable {
  start(): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * Starts services in order and stops them in reverse on SIGINT/SIGTERM. A failure to start
 * is printed as JSON and exits 1: a supervisor restarts us.
 */
export async function runUntilSignal(name: string, create: () => Startable | Startable[]): Promise<void> {
  let services: Startable[] = [];
  const stop = async (signal: string): Promise<void> => {
    process.stderr.write(`${JSON.stringify({ level: 'info', service: name, msg: `stopping on ${signal}` })}\n`);
    for (const service of [...services].reverse()) await service.stop().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGINT', (s) => void stop(s));
  process.once('SIGTERM', (s) => void stop(s));
  try {
    const created = create();
    services = Array.isArray(created) ? created : [created];
    for (const service of services) await service.start();
  } catch (error) {
    const e = error as Error & { code?: string };
    process.stderr.write(`${JSON.stringify({ level: 'fatal', service: name, code: e.code, msg: e.message })}\n`);
    process.exit(1);
  }
}
