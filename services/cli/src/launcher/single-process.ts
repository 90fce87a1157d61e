import { runUntilSignal, type Startable } from '@verity/service-kit';
import { createService, type NamedService, type ServiceName } from '../services';
import type { WhenReady } from './service-processes';
import { serviceLine } from './service-line';

/**
 * Every named service in this one process (`--single-process`): started in order, each line
 * printed as it starts, stopped in reverse on SIGINT/SIGTERM; then `whenReady`, whose failure
 * is reported without stopping them.
 */
export function runInOneProcess(
  names: readonly ServiceName[],
  env: NodeJS.ProcessEnv = process.env,
  whenReady?: WhenReady,
): void {
  const urls: Partial<Record<ServiceName, string>> = {};
  const afterStart: Startable = {
    start: async () =>
      whenReady?.(urls).catch((error: Error) => void process.stderr.write(`verity: after start: ${error.message}\n`)),
    stop: async () => undefined,
  };
  void runUntilSignal('verity', () => [
    ...names.map((name): Startable => {
      const service: NamedService = createService(name, env);
      return {
        async start() {
          const server = await service.start();
          urls[name] = server.url;
          process.stdout.write(`${serviceLine(name, server.url)}\n`);
        },
        stop: () => service.stop(),
      };
    }),
    afterStart,
  ]);
}
