import type { ServiceName } from '../service-names';

/** Where a service answers, as `verity up` and `verity start` print it once it runs. */
export function serviceLine(name: ServiceName, url: string): string {
  return `${name.padEnd(18)} ${url}  (/health /ready /metrics)`;
}
