import type { Knex } from 'knex';
import { CHECKPOINTS_TABLE, ensureCheckpointTable } from '@verity/events';

/** Which generations of each read model exist, where their tables are, and which one serves. */
export const GENERATIONS_TABLE = 'projection_generations';

export type GenerationState = 'building' | 'serving' | 'retired';

export interface Generation {
  projection: string;
  generation: number;
  state: GenerationState;
  /** Where its tables and checkpoints are: the serving one's are in the read models' schema. */
  schema: string;
}

/** A projection's place in one partition, as its checkpoint table holds it. */
export interface PartitionCheckpoint {
  topic: string;
  partition: number;
  nextOffset: bigint;
}

/**
 * The schema a generation's tables live in while it does not serve: `<schema>__<read model>_<n>`.
 * The serving generation's are in the read models' schema itself, where every query-api reads them
 * by name; a switch moves tables between the two (see `switchGeneration`).
 */
export function parkedSchema(schema: string, projection: string, generation: number): string {
  const name = `${schema}__${projection.replace(/-/g, '_')}_${generation}`;
  // PostgreSQL cuts identifiers at 63 bytes; two generations must never share a cut name.
  if (name.length > 63) throw new RangeError(`schema name ${name} is longer than PostgreSQL's 63 bytes`);
  return name;
}

/** Creates the table; a read model with no row has one generation, 1, serving from `schema`. */
export async function ensureGenerations(db: Knex, schema: string, projection: string): Promise<void> {
  await db.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
  await db.raw(
    `CREATE TABLE IF NOT EXISTS ??.?? (
       projection text NOT NULL,
       generation integer NOT NULL,
       state text NOT NULL CHECK (state IN ('building', 'serving', 'retired')),
       schema_name text NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       switched_at timestamptz,
       PRIMARY KEY (projection, generation)
     )`,
    [schema, GENERATIONS_TABLE],
  );
  // Only for a read model with no row at all: once generation 1 is dropped, it stays dropped.
  await db.raw(
    `INSERT INTO ??.?? (projection, generation, state, schema_name)
     SELECT ?, 1, 'serving', ? WHERE NOT EXISTS (SELECT 1 FROM ??.?? WHERE projection = ?)
     ON CONFLICT DO NOTHING`,
    [schema, GENERATIONS_TABLE, projection, schema, schema, GENERATIONS_TABLE, projection],
  );
}

interface GenerationRow {
  projection: string;
  generation: number;
  state: GenerationState;
  schema_name: string;
}

const toGeneration = (row: GenerationRow): Generation => ({
  projection: row.projection,
  generation: row.generation,
  state: row.state,
  schema: row.schema_name,
});

/** The generations of a read model (all when `projection` is undefined), oldest first; none without the table. */
export async function listGenerations(db: Knex | Knex.Transaction, schema: string, projection?: string) {
  const { rows } = await db.raw<{ rows: { exists: boolean }[] }>('SELECT to_regclass(?) IS NOT NULL AS exists', [
    `"${schema}"."${GENERATIONS_TABLE}"`,
  ]);
  if (!rows[0]?.exists) return [];
  const query = db.withSchema(schema).table(GENERATIONS_TABLE).select<GenerationRow[]>('*');
  if (projection !== undefined) void query.where({ projection });
  return (await query.orderBy(['projection', 'generation'])).map(toGeneration);
}

/** The generation being built, or a new one (the next number), with its schema. */
export async function buildingGeneration(db: Knex, schema: string, projection: string): Promise<Generation> {
  return db.transaction(async (trx) => {
    await trx.raw('LOCK TABLE ??.?? IN SHARE ROW EXCLUSIVE MODE', [schema, GENERATIONS_TABLE]);
    const generations = await listGenerations(trx, schema, projection);
    const building = generations.find((g) => g.state === 'building');
    if (building) return building;
    const generation = Math.max(0, ...generations.map((g) => g.generation)) + 1;
    const created: Generation = {
      projection,
      generation,
      state: 'building',
      schema: parkedSchema(schema, projection, generation),
    };
    await trx
      .withSchema(schema)
      .table(GENERATIONS_TABLE)
      .insert({ projection, generation, state: 'building', schema_name: created.schema });
    return created;
  });
}

/** A projection's checkpoints in a schema, every topic (none when the schema has no checkpoint table yet). */
export async function checkpointsOf(
  db: Knex | Knex.Transaction,
  schema: string,
  projection: string,
  forUpdate = false,
): Promise<PartitionCheckpoint[]> {
  const { rows } = await db.raw<{ rows: { exists: boolean }[] }>('SELECT to_regclass(?) IS NOT NULL AS exists', [
    `"${schema}"."${CHECKPOINTS_TABLE}"`,
  ]);
  if (!rows[0]?.exists) return [];
  const query = db
    .withSchema(schema)
    .table(CHECKPOINTS_TABLE)
    .where({ projection })
    .orderBy(['topic', 'partition'])
    .select<{ topic: string; partition: number; next_offset: string }[]>('topic', 'partition', 'next_offset');
  if (forUpdate) void query.forUpdate();
  return (await query).map((r) => ({ topic: r.topic, partition: r.partition, nextOffset: BigInt(r.next_offset) }));
}

/** The partitions where `candidate` has not reached `frozen` yet (a partition it lacks counts as 0). */
export function behind(
  frozen: readonly PartitionCheckpoint[],
  candidate: readonly PartitionCheckpoint[],
): PartitionCheckpoint[] {
  const at = new Map(candidate.map((c) => [`${c.topic}/${c.partition}`, c.nextOffset]));
  return frozen.filter((f) => (at.get(`${f.topic}/${f.partition}`) ?? 0n) < f.nextOffset);
}

/**
 * Gives every partition of `topics` a checkpoint row in `schema` (offset 0 where it had none, the
 * same as no row), so the serving projector's batches take a row lock the switch can wait on:
 * with no row, a batch that read "nothing applied yet" just before a switch would apply again
 * what the new generation holds.
 */
export async function seedCheckpoints(
  db: Knex,
  schema: string,
  projection: string,
  partitions: readonly { topic: string; partition: number }[],
): Promise<void> {
  await ensureCheckpointTable(db, schema);
  if (partitions.length === 0) return;
  await db
    .withSchema(schema)
    .table(CHECKPOINTS_TABLE)
    .insert(partitions.map((p) => ({ projection, ...p, next_offset: '0', updated_at: db.fn.now() })))
    .onConflict(['projection', 'topic', 'partition'])
    .ignore();
}

/** The tables of a schema (not its checkpoint table): a generation's tables and migration records. */
async function tablesOf(trx: Knex.Transaction, schema: string): Promise<string[]> {
  const { rows } = await trx.raw<{ rows: { tablename: string }[] }>(
    'SELECT tablename FROM pg_tables WHERE schemaname = ? AND tablename <> ? ORDER BY tablename',
    [schema, CHECKPOINTS_TABLE],
  );
  return rows.map((r) => r.tablename);
}

async function tableExists(trx: Knex.Transaction, schema: string, table: string): Promise<boolean> {
  const { rows } = await trx.raw<{ rows: { exists: boolean }[] }>('SELECT to_regclass(?) IS NOT NULL AS exists', [
    `"${schema}"."${table}"`,
  ]);
  return rows[0]?.exists ?? false;
}

export interface SwitchPlan {
  schema: string;
  projection: string;
  serving: Generation;
  building: Generation;
  /**
   * Called with the serving generation's checkpoints frozen (its projector waits on their row
   * locks): resolves once the building generation has reached every one of them and has stopped
   * writing. It rejects to give the switch up (the transaction is rolled back, nothing changes).
   */
  catchUp(frozen: readonly PartitionCheckpoint[]): Promise<void>;
  /** How long the switch waits for a lock before giving up (it is retried). */
  lockTimeoutMs: number;
}

/**
 * The switch, ONE PostgreSQL transaction: the serving generation's checkpoints are locked (its
 * projector pauses at its next batch), the building one catches up to them, then the serving
 * tables move to their parked schema and the new ones into the read models' schema, and the
 * checkpoints there become the new generation's, updated in place so a projector batch waiting
 * on a row lock re-reads the new offset. Every query-api reads by name: its next statement sees
 * the new generation, and a consistency token waits on the new checkpoints, which are at or past
 * the old ones, so no read goes back in time.
 */
export async function switchGeneration(db: Knex, plan: SwitchPlan): Promise<void> {
  const { schema, projection, serving, building } = plan;
  const retiredSchema = parkedSchema(schema, projection, serving.generation);
  await db.transaction(async (trx) => {
    await trx.raw(`SET LOCAL lock_timeout = ${Math.ceil(plan.lockTimeoutMs)}`);
    const frozen = await checkpointsOf(trx, schema, projection, true);
    await plan.catchUp(frozen);
    const reached = await checkpointsOf(trx, building.schema, projection);
    const short = behind(frozen, reached);
    if (short.length > 0)
      throw new Error(`generation ${building.generation} stopped behind the serving one on ${short.length} partitions`);
    const tables = await tablesOf(trx, building.schema);
    await trx.raw('CREATE SCHEMA IF NOT EXISTS ??', [retiredSchema]);
    for (const table of tables)
      if (await tableExists(trx, schema, table))
        await trx.raw('ALTER TABLE ??.?? SET SCHEMA ??', [schema, table, retiredSchema]);
    for (const table of tables) await trx.raw('ALTER TABLE ??.?? SET SCHEMA ??', [building.schema, table, schema]);
    // The retired generation keeps its own checkpoints beside its tables.
    await ensureCheckpointTable(trx, retiredSchema);
    const row = (c: PartitionCheckpoint) => ({
      projection,
      topic: c.topic,
      partition: c.partition,
      next_offset: c.nextOffset.toString(),
      updated_at: trx.fn.now(),
    });
    if (frozen.length > 0)
      await trx
        .withSchema(retiredSchema)
        .table(CHECKPOINTS_TABLE)
        .insert(frozen.map(row))
        .onConflict(['projection', 'topic', 'partition'])
        .merge();
    if (reached.length > 0)
      await trx
        .withSchema(schema)
        .table(CHECKPOINTS_TABLE)
        .insert(reached.map(row))
        .onConflict(['projection', 'topic', 'partition'])
        .merge();
    await trx.raw('DROP SCHEMA ?? CASCADE', [building.schema]);
    const generations = trx.withSchema(schema).table(GENERATIONS_TABLE);
    await generations
      .clone()
      .where({ projection, generation: serving.generation })
      .update({ state: 'retired', schema_name: retiredSchema });
    await generations
      .clone()
      .where({ projection, generation: building.generation })
      .update({ state: 'serving', schema_name: schema, switched_at: trx.fn.now() });
  });
}

/** Drops a generation that does not serve: its schema and its row. */
export async function dropGeneration(db: Knex, schema: string, generation: Generation): Promise<void> {
  await db.transaction(async (trx) => {
    await trx.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [generation.schema]);
    await trx
      .withSchema(schema)
      .table(GENERATIONS_TABLE)
      .where({ projection: generation.projection, generation: generation.generation })
      .delete();
  });
}
