import { isIP } from 'node:net';
import { VerityError } from '@verity/core';
import {
  parseEnv,
  platformEnvSchema,
  readModelEnvSchema,
  type PlatformEnv,
  type ReadModelEnv,
} from '@verity/service-kit';

/** True for `localhost` and addresses in 127.0.0.0/8 or ::1: the bench never loads another machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return isIP(bare) === 6 && bare === '::1';
}

/** The host of a URL (`postgres://…`, `redis://…`, `http://…`) or of a `host:port` pair. */
export function hostOf(endpoint: string): string {
  return endpoint.includes('://') ? new URL(endpoint).hostname : endpoint.slice(0, endpoint.lastIndexOf(':'));
}

/** The endpoints that are not on this machine's loopback interface. */
export function nonLoopback(endpoints: readonly string[]): string[] {
  return endpoints.filter((e) => !isLoopbackHost(hostOf(e)));
}

/**
 * The stack's settings from `env`, once every endpoint in them is known to be on this machine:
 * a bench only ever loads this one. Fails naming those that are not.
 */
export function localStackConfig(env: NodeJS.ProcessEnv = process.env): PlatformEnv & ReadModelEnv {
  const config = parseEnv(platformEnvSchema.extend(readModelEnvSchema.shape), env);
  const remote = nonLoopback([
    ...config.VERITY_KAFKA_BROKERS,
    config.VERITY_SCHEMA_REGISTRY_URL,
    config.VERITY_DATABASE_URL,
    config.VERITY_REDIS_URL,
  ]);
  if (remote.length > 0)
    throw new VerityError(
      'bench_not_loopback',
      `the bench only runs against this machine; not loopback: ${remote.join(', ')}`,
    );
  return config;
}

/** Until the returned function is called, Ctrl-C runs `tearDown` and then exits with 130. */
export function tearDownOnInterrupt(tearDown: () => Promise<void>, progress: (message: string) => void): () => void {
  const onInterrupt = (): void => {
    progress('interrupted; cleaning up');
    void tearDown().finally(() => process.exit(130));
  };
  process.once('SIGINT', onInterrupt);
  return () => void process.removeListener('SIGINT', onInterrupt);
}
