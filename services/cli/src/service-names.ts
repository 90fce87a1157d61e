/**
 * The deployables `verity start` runs, in start order: writers before readers, so a first
 * command finds its processor ready. Apart from `services.ts` so that code which only names
 * services (argument parsing, the launcher) loads none of them.
 */
export const SERVICE_NAMES = [
  'command-processor',
  'projector',
  'gateway',
  'query-api',
  'webhook-ingestor',
  'poller',
  'cdc-ingestor',
  'webhook-dispatcher',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}
