import { z } from 'zod';
import { UnmappableChangeError } from '@verity/connector-intake';

/** A row as Debezium's JSON converter writes it: column name → value. */
export type Row = Record<string, unknown>;

/** Debezium's operations: create, update, delete, and read (a row of the initial snapshot). */
export type Operation = 'c' | 'u' | 'd' | 'r';

/** One row change, with where it happened in the database's log and when it was committed. */
export interface RowChange {
  op: Operation;
  database: string;
  schema: string;
  table: string;
  /** The change's position in the WAL (pgoutput LSN, a decimal integer). */
  lsn: string;
  /** When its transaction committed (`source.ts_ms`; for a snapshot row, when it was read). */
  committedAt: string;
  before: Row | null;
  after: Row | null;
}

const changeEventSchema = z.object({
  op: z.enum(['c', 'u', 'd', 'r']),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
  source: z.object({
    db: z.string().min(1),
    schema: z.string().min(1),
    table: z.string().min(1),
    ts_ms: z.number().int().nonnegative(),
    lsn: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]),
  }),
});

/**
 * The row change a Debezium record holds, or null for what is no change: a tombstone (the
 * null value after a delete, for compaction) or a record without an operation (a heartbeat).
 * The JSON converter's `{schema, payload}` envelope (schemas.enable=true) is unwrapped.
 * A record that says it is a change but is not one throws `UnmappableChangeError`.
 */
export function parseChangeRecord(value: Buffer | string | null): RowChange | null {
  if (value === null || value.length === 0) return null;
  let json: unknown;
  try {
    json = JSON.parse(value.toString());
  } catch (error) {
    throw new UnmappableChangeError(`not a JSON record: ${(error as Error).message}`, [
      { path: 'value', message: 'not JSON' },
    ]);
  }
  if (isObject(json) && 'schema' in json && 'payload' in json) json = json.payload;
  if (json === null || !isObject(json) || !('op' in json)) return null;
  const parsed = changeEventSchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new UnmappableChangeError(
      `not a Debezium change event: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`,
      fields,
    );
  }
  const { op, before, after, source } = parsed.data;
  return {
    op,
    database: source.db,
    schema: source.schema,
    table: source.table,
    lsn: String(source.lsn),
    committedAt: new Date(source.ts_ms).toISOString(),
    before,
    after,
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
