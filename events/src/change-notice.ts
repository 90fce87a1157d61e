import type { Redis } from 'ioredis';
import { z } from 'zod';
import { changesChannel } from './versioned-cache';

const tenant = z.string();
const key = z.string();
const version = z.number();

/**
 * What a projector tells the read side after a commit, on `changesChannel(prefix)`: which read
 * model (`context`), whose, the cache key it touched and the stream version it reached. The
 * projections encode these and the query API's subscriptions parse them, both through here.
 */
const changeNoticeSchema = z.discriminatedUnion('context', [
  // A SKU's stock (inventory-stock).
  z.object({ context: z.literal('inventory'), tenant, sku: z.string(), key, version }),
  // A product (catalog-products).
  z.object({ context: z.literal('catalog'), tenant, sku: z.string(), key, version }),
  // An alias of the tenant's registry (aliases-registry); the key names its alias context and alias.
  z.object({ context: z.literal('aliases'), tenant, key, version }),
  // A price list (pricing): `sku` and `key` are null when only the list itself changed.
  z.object({
    context: z.literal('pricing'),
    tenant,
    priceListId: z.string(),
    sku: z.string().nullable(),
    key: key.nullable(),
    version,
  }),
  // A conflict between source systems (source-conflicts), with its SKU and the context it lives in (`catalog`, `inventory`).
  z.object({
    context: z.literal('conflicts'),
    tenant,
    conflictId: z.string(),
    sku: z.string(),
    conflictContext: z.string(),
    key,
    version,
  }),
]);

export type ChangeNotice = z.infer<typeof changeNoticeSchema>;

/** The notice of one read model, e.g. `ChangeNoticeOf<'pricing'>`. */
export type ChangeNoticeOf<Context extends ChangeNotice['context']> = Extract<ChangeNotice, { context: Context }>;

export const encodeChangeNotice = (notice: ChangeNotice): string => JSON.stringify(notice);

/** The notice a message holds; undefined for anything else (not JSON, not a notice of a known read model). */
export function parseChangeNotice(message: string): ChangeNotice | undefined {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return undefined;
  }
  const parsed = changeNoticeSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** Publishes a notice on the channel of the key prefix. */
export async function publishChangeNotice(redis: Redis, keyPrefix: string, notice: ChangeNotice): Promise<void> {
  await redis.publish(changesChannel(keyPrefix), encodeChangeNotice(notice));
}
