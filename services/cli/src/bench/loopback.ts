import { isIP } from 'node:net';
import { VerityError } from '@verity/core';

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

/** Fails naming the endpoints that are not on this machine: a bench only ever loads this one. */
export function assertLoopback(endpoints: readonly string[]): void {
  const remote = nonLoopback(endpoints);
  if (remote.length > 0)
    throw new VerityError(
      'bench_not_loopback',
      `the bench only runs against this machine; not loopback: ${remote.join(', ')}`,
    );
}
