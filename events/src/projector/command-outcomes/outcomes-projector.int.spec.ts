import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Message } from 'kafkajs';
import knex from 'knex';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import type { CommandReply } from '@verity/core';
import { createLogger } from '../../logger';
import { ensureTopics, repliesTopic, repliesTopicConfig } from '../../topics';
import type { Projector } from '../projector';
import { readCheckpoints } from '../checkpoints';
import { COMMAND_OUTCOMES_TABLE } from './migrations';
import { COMMAND_OUTCOMES, findCommandOutcome } from './outcome-store';
import { createCommandOutcomesProjector } from './outcomes-projector';

// The project's own stack, as `verity infra up` starts it.
const DATABASE_URL = 'postgres://verity:verity@127.0.0.1:5442/verity';
const id = randomUUID().replace(/-/g, '').slice(0, 10);
const prefix = `t${id}`;
const schema = `t_${id}`;
const topic = repliesTopic(prefix);
/** The gathering projector's own topic and schema, so its checkpoints are its own. */
const gatheredTopic = repliesTopic(`${prefix}g`);
const gatheredSchema = `${schema}_g`;
const HOUR = 3_600_000;

const kafka = new Kafka({ brokers: ['localhost:9092'], clientId: `test-${prefix}`, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const producer = kafka.producer({
  idempotent: true,
  transactionalId: `${prefix}.outcomes-spec`,
  maxInFlightRequests: 1,
});
const db = knex({ client: 'pg', connection: DATABASE_URL, pool: { min: 0, max: 4 } });
const pool = new Pool({ connectionString: DATABASE_URL, max: 2 });
const metrics = new Registry();
let projector: Projector | undefined;

const reply = (commandId: string, tenant: string, version = 1): CommandReply => ({
  status: 'accepted',
  commandId,
  fingerprint: `f-${commandId}`,
  streamId: `${tenant}/SKU-${commandId}`,
  version,
  events: [],
  consistencyToken: `tok-${commandId}`,
});
const record = (r: CommandReply, timestamp = Date.now()): Message => ({
  key: r.commandId,
  value: JSON.stringify(r),
  timestamp: String(timestamp),
});

/** Written the way the processor writes replies: in a transaction. */
async function writeReplies(messages: Message[], commit = true, to = topic): Promise<void> {
  const trx = await producer.transaction();
  await trx.send({ topic: to, messages });
  if (commit) await trx.commit();
  else await trx.abort();
}

async function rows(): Promise<Map<string, { reply: CommandReply; recorded_at: Date }>> {
  const found = await db
    .withSchema(schema)
    .table(COMMAND_OUTCOMES_TABLE)
    .select<{ command_id: string; reply: CommandReply; recorded_at: Date }[]>('command_id', 'reply', 'recorded_at');
  return new Map(found.map((r) => [r.command_id, r]));
}

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 100))) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
  }
}

beforeAll(async () => {
  await admin.connect();
  await ensureTopics(admin, [
    repliesTopicConfig(topic, { retentionMs: HOUR, partitions: 2 }),
    repliesTopicConfig(gatheredTopic, { retentionMs: HOUR, partitions: 1 }),
  ]);
  await producer.connect();
});
afterAll(async () => {
  await projector?.stop();
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic, gatheredTopic] }).catch(() => undefined);
  const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`${prefix}.`));
  if (groups.length > 0) await admin.deleteGroups(groups).catch(() => undefined);
  await admin.disconnect();
  for (const dropped of [schema, gatheredSchema]) await db.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [dropped]);
  await db.destroy();
  await pool.end();
});

describe('the command outcomes read model on the real Kafka and PostgreSQL', () => {
  it('records committed replies once each, finds them by tenant within the window, and deletes expired ones', async () => {
    const decidedAt = Date.now() - 60_000;
    await writeReplies([
      record(reply('a-1', 'acme'), decidedAt),
      record(reply('g-1', 'globex')),
      // Expired: older than the window by the time it is read.
      record(reply('old-1', 'acme'), Date.now() - 2 * HOUR),
      { key: 'junk', value: 'not a reply' },
    ]);
    await writeReplies([record(reply('aborted-1', 'acme'))], false);
    // A repeat answered later with the original reply: the row keeps the first time.
    await writeReplies([record(reply('a-1', 'acme'), Date.now())]);

    projector = createCommandOutcomesProjector({
      kafka,
      db,
      schema,
      topic,
      groupId: `${prefix}.projection.command-outcomes`,
      retentionMs: HOUR,
      logger: createLogger('spec', 'silent'),
      metrics,
      purgeIntervalMs: 200,
    });
    await projector.start();
    await eventually(async () => (projector?.isReady() ? true : undefined), 'ready');

    const recorded = await eventually(
      async () => ((await rows()).has('g-1') && !(await rows()).has('old-1') ? rows() : undefined),
      'outcomes recorded and the expired one deleted',
    );
    expect([...recorded.keys()].sort()).toEqual(['a-1', 'g-1']);
    const purged = async () => (await metrics.getSingleMetric('verity_command_outcomes_purged_total')?.get())?.values;
    await eventually(async () => ((await purged())?.[0]?.value === 1 ? true : undefined), 'one outcome purged');
    expect(recorded.get('a-1')).toMatchObject({ reply: reply('a-1', 'acme'), recorded_at: new Date(decidedAt) });

    const window = { windowMs: HOUR };
    expect(await findCommandOutcome(pool, schema, 'a-1', { ...window, tenant: 'acme' })).toEqual(reply('a-1', 'acme'));
    expect(await findCommandOutcome(pool, schema, 'a-1', window)).toEqual(reply('a-1', 'acme'));
    // Another tenant's command is as unknown as one never sent.
    expect(await findCommandOutcome(pool, schema, 'a-1', { ...window, tenant: 'globex' })).toBeUndefined();
    expect(await findCommandOutcome(pool, schema, 'never', window)).toBeUndefined();
    // Outside a shorter window it is not found, even before a purge deletes it.
    expect(await findCommandOutcome(pool, schema, 'a-1', { windowMs: 30_000 })).toBeUndefined();
  });

  it('a restarted projector goes on from its checkpoint and a decision made anew replaces the row', async () => {
    await projector?.stop();
    const anew = { ...reply('a-1', 'acme', 2) };
    await writeReplies([record(anew), record(reply('a-2', 'acme'))]);
    await projector?.start();
    const recorded = await eventually(async () => ((await rows()).has('a-2') ? rows() : undefined), 'a-2 recorded');
    expect(recorded.get('a-1')?.reply).toEqual(anew);
    expect([...recorded.keys()].sort()).toEqual(['a-1', 'a-2', 'g-1']);
  });

  it("commits its group's offsets up to its checkpoints once batches stop, for Kafka's lag tools", async () => {
    const group = `${prefix}.projection.command-outcomes`;
    const committed = await eventually(async () => {
      const checkpoints = await readCheckpoints(db, schema, COMMAND_OUTCOMES, topic);
      const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      const atCheckpoints = offsets!.partitions.every(
        ({ partition, offset }) => offset === (checkpoints.get(partition) ?? '-1'),
      );
      return checkpoints.size > 0 && atCheckpoints ? offsets!.partitions : undefined;
    }, 'the group offsets at the checkpoints');
    expect(committed.map((p) => Number(p.offset)).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(6);
  });

  it('a schema the projector never migrated holds no outcome', async () => {
    expect(await findCommandOutcome(pool, `${schema}_none`, 'a-1', { windowMs: HOUR })).toBeUndefined();
  });
});

describe('the command outcomes read model with a fetch gather', () => {
  const gathered = createCommandOutcomesProjector({
    kafka,
    db,
    schema: gatheredSchema,
    topic: gatheredTopic,
    groupId: `${prefix}.projection.command-outcomes-gathered`,
    retentionMs: HOUR,
    logger: createLogger('spec', 'silent'),
    metrics: new Registry(),
    fetchGatherMs: 5_000,
  });
  afterAll(() => gathered.stop());

  it('records replies committed 100 ms apart in fewer PostgreSQL transactions than Kafka ones', async () => {
    await gathered.start();
    await eventually(async () => (gathered.isReady() ? true : undefined), 'ready');
    const ids = ['b-1', 'b-2', 'b-3', 'b-4', 'b-5'];
    for (const commandId of ids) {
      await writeReplies([record(reply(commandId, 'acme'))], true, gatheredTopic);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Rows written by one PostgreSQL transaction share its id (xmin). Without a gather each
    // reply, 100 ms after the one before, would be fetched and recorded on its own.
    const transactions = await eventually(async () => {
      const found = await db
        .withSchema(gatheredSchema)
        .table(COMMAND_OUTCOMES_TABLE)
        .select<{ xmin: string }[]>(db.raw('xmin::text AS xmin'));
      return found.length === ids.length ? new Set(found.map((r) => r.xmin)) : undefined;
    }, 'the five outcomes recorded');
    // A gather's deadline may fall inside the half-second burst once, splitting it in two.
    expect(transactions.size).toBeLessThanOrEqual(2);
  });
});
