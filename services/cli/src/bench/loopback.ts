import { isIP } from 'node:net';

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
