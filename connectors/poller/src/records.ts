import { createHash } from 'node:crypto';
import { UnmappableChangeError, type SourceChange } from '@verity/connector-intake';
import { z } from 'zod';
import { checksumOf } from './checksum';
import type { PollerConfig, RecordKind } from './config';

/** ISO 8601 with an offset: the source's own time of the record's last change. */
const updatedAt = z.iso.datetime({ offset: true }).transform((at) => new Date(at).toISOString());

/**
 * What a source answers for `GET <url>/inventory`: one on-hand count per SKU and location
 * (`location` defaults to `main`; `on_hand` is accepted for `quantity`).
 */
const inventoryRecordSchema = z
  .object({
    sku: z.string(),
    location: z.string().default('main'),
    quantity: z.number().optional(),
    on_hand: z.number().optional(),
    updated_at: updatedAt,
  })
  .transform(({ on_hand, quantity, ...rest }, ctx) => {
    const onHand = quantity ?? on_hand;
    if (onHand === undefined) {
      ctx.addIssue({ code: 'custom', path: ['quantity'], message: 'quantity (or on_hand) is required' });
      return z.NEVER;
    }
    return { ...rest, onHand };
  });

/** What a source answers for `GET <url>/products`. */
const productRecordSchema = z.object({
  sku: z.string(),
  name: z.string(),
  unit: z.string(),
  description: z.string().optional(),
  attributes: z.record(z.string(), z.string()).optional(),
  updated_at: updatedAt,
});

/** A source record read and mapped: its key in the source, its time, and the payload it means. */
export interface MappedRecord {
  kind: RecordKind;
  /** `<sku>@<location>` for inventory, the SKU for products. */
  key: string;
  updatedAt: string;
  payload: Record<string, unknown>;
  /** sha256 of the canonical payload: what tells a changed record from one seen before. */
  checksum: string;
}

function unmappable(kind: RecordKind, error: z.ZodError): UnmappableChangeError {
  const fields = error.issues.map((i) => ({ path: i.path.join('.') || 'record', message: i.message }));
  return new UnmappableChangeError(
    `${kind} record: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`,
    fields,
  );
}

/** Reads one record of a page; `UnmappableChangeError` names the field a record gets wrong. */
export function mapRecord(kind: RecordKind, raw: unknown): MappedRecord {
  if (kind === 'inventory') {
    const parsed = inventoryRecordSchema.safeParse(raw);
    if (!parsed.success) throw unmappable(kind, parsed.error);
    const { sku, location, onHand } = parsed.data;
    const payload = { sku, location, onHand };
    return {
      kind,
      key: `${sku}@${location}`,
      updatedAt: parsed.data.updated_at,
      payload,
      checksum: checksumOf(payload),
    };
  }
  const parsed = productRecordSchema.safeParse(raw);
  if (!parsed.success) throw unmappable(kind, parsed.error);
  const { updated_at, ...fields } = parsed.data;
  // As the command will hold them (trimmed, unit upper-cased), so drift compares like with like.
  const payload = {
    ...fields,
    sku: fields.sku.trim(),
    name: fields.name.trim(),
    unit: fields.unit.trim().toUpperCase(),
  };
  return { kind, key: payload.sku, updatedAt: updated_at, payload, checksum: checksumOf(payload) };
}

/**
 * The command id of a record's version: the same record with the same content is the same
 * command, so a re-poll (or a poller that lost its checksums) appends nothing new.
 */
export function commandIdOf(source: string, record: MappedRecord): string {
  const digest = createHash('sha256').update(`${record.kind}\u0000${record.key}\u0000${record.checksum}`).digest('hex');
  return `poller-${source}-${record.kind}-${digest.slice(0, 40)}`;
}

/**
 * The change a record means: inventory sets the absolute count (`inventory.AdjustStock`); a
 * product this poller has not sent before is registered, a known one updated.
 */
export function changeOfRecord(
  config: Pick<PollerConfig, 'tenant' | 'source'>,
  record: MappedRecord,
  known: boolean,
): SourceChange {
  const type =
    record.kind === 'inventory' ? 'inventory.AdjustStock' : known ? 'catalog.UpdateProduct' : 'catalog.RegisterProduct';
  const commandId = commandIdOf(config.source, record);
  return {
    type,
    payload: record.payload,
    tenant: config.tenant,
    commandId,
    sourceSystem: config.source,
    sourceTimestamp: record.updatedAt,
    actor: `connector:poller-${config.source}`,
    correlationId: commandId,
  };
}

/** A page as a source answers it: `{items: [...], next_page?}`; no `next_page` (or null) is the last page. */
const pageSchema = z.object({
  items: z.array(z.unknown()),
  next_page: z.union([z.string().min(1), z.number().int()]).nullish(),
});
export interface SourcePage {
  items: unknown[];
  nextPage: string | undefined;
}

export function parsePage(body: unknown): SourcePage {
  const parsed = pageSchema.safeParse(body);
  if (!parsed.success)
    throw new UnmappableChangeError(
      `page: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`,
    );
  const next = parsed.data.next_page;
  return { items: parsed.data.items, nextPage: next === null || next === undefined ? undefined : String(next) };
}
