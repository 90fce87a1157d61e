import { runUntilSignal, type Startable } from '@verity/service-kit';
import { createService, type NamedService, type ServiceName } from '../services';
import { serviceLine } from './service-line';

/**
 * Every named service in this one process (`--single-process`): started in order, each line
 * printed as it starts, stopped in reverse on SIGINT/SIGTERM.
 */
export function runInOneProcess(names: readonly ServiceName[]): void {
  void runUntilSignal('verity', () =>
    names.map((name): Startable => {
      const service: NamedService = createService(name);
      return {
        async start() {
          const server = await service.start();
          process.stdout.write(`${serviceLine(name, server.url)}\n`);
        },
        stop: () => service.stop(),
      };
    }),
  );
}
