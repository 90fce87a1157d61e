import { SOURCE_SYSTEMS } from '@verity/core';
import { z } from 'zod';

/** The record kinds a poller fetches, each from `<url>/<kind>`, and the command each becomes. */
export const RECORD_KINDS = ['inventory', 'products'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** The sources a poller can stand for: every source system but the command API itself. */
export type PolledSource = Exclude<(typeof SOURCE_SYSTEMS)[number], 'api'>;
export const POLLED_SOURCES = SOURCE_SYSTEMS.filter((s): s is PolledSource => s !== 'api');

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
/** At least a second (a source is not a busy loop), at most a day. */
const MIN_INTERVAL_MS = 1_000;
const MAX_INTERVAL_MS = 86_400_000;

/**
 * An interval as people write it: `30s`, `1m`, `5m`, `15m`, `30m`, `2h`, `1500ms`; a bare number
 * is minutes, the unit pollers are usually set in. Throws naming the accepted forms.
 */
export function parseInterval(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) throw new RangeError(`interval ${JSON.stringify(text)}: a number and ms, s, m or h (e.g. 30s, 5m)`);
  const ms = Math.round(Number(match[1]) * UNIT_MS[(match[2] ?? 'm') as keyof typeof UNIT_MS]);
  if (ms < MIN_INTERVAL_MS || ms > MAX_INTERVAL_MS)
    throw new RangeError(`interval ${JSON.stringify(text)}: between 1s and 24h`);
  return ms;
}

/** How a poller signs in to its source: a bearer token or basic auth. Held sealed at rest, never logged. */
export const credentialSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('bearer'), token: z.string().min(1).max(4096) }),
  z.strictObject({ type: z.literal('basic'), username: z.string().min(1).max(256), password: z.string().max(1024) }),
]);
export type Credential = z.infer<typeof credentialSchema>;

/** The `Authorization` header a credential sends. */
export function authorizationOf(credential: Credential): string {
  return credential.type === 'bearer'
    ? `Bearer ${credential.token}`
    : `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
}

/** What `PUT /v1/pollers/<source>` takes (and `verity pollers set` sends). */
export const pollerSettingsSchema = z.strictObject({
  /** The source's API base: records are read from `<url>/<kind>`. */
  url: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, '')),
  intervalMs: z.number().int().min(MIN_INTERVAL_MS).max(MAX_INTERVAL_MS),
  /** Records asked for per page (`page_size`). Default 100. */
  pageSize: z.number().int().min(1).max(1000).default(100),
  /** Which kinds this source is read for. Default both. */
  kinds: z
    .array(z.enum(RECORD_KINDS))
    .min(1)
    .transform((kinds) => [...new Set(kinds)])
    .default([...RECORD_KINDS]),
  credential: credentialSchema.optional(),
});
export type PollerSettings = z.infer<typeof pollerSettingsSchema>;

export const polledSourceSchema = z.enum(POLLED_SOURCES);

/** One source of one tenant, as a poller runs it (the credential opened). */
export interface PollerConfig extends PollerSettings {
  tenant: string;
  source: PolledSource;
}
