import { Redis } from 'ioredis';
import { AvroSerde } from '../avro-serde';
import { thingsStack } from '../testing/things-stack';
import { THING_TOTALS_TABLE, thingTotalsProjection } from '../testing/upcasting/thing-totals-projection';
import {
  THINGS_COUNTED,
  THINGS_REMOVED,
  dozensToUnits,
  thingsCatalog,
  thingsContextV2,
} from '../testing/upcasting/things-context';
import { fetchTopicOffsets } from '../topic-offsets';
import { checkpointsChannel, parseCheckpointNotice } from './checkpoint-notice';
import { CHECKPOINTS_TABLE } from './checkpoints';

/**
 * A projection's `select` (the webhook outbox's: events some subscription takes) keeps the
 * events it does not take out of the transaction: a batch of only those opens none, and its
 * checkpoint still reaches the end of the partition, by a timer once the batches stop. Without
 * checkpoint notices (no read waits on the outbox) it publishes none and never opens Redis.
 */
describe('a projection that selects the events it applies', () => {
  const stack = thingsStack('projector-select', 's');
  const { kafka, db, schema, topics } = stack;
  const serde = new AvroSerde(stack.registry, thingsCatalog(2), [dozensToUnits]);
  const admin = kafka.admin();
  // Connected before subscribing: ioredis' ready check, sent after a SUBSCRIBE, is refused.
  const subscriber = new Redis(stack.redisUrl, { lazyConnect: true });
  const publisher = new Redis(stack.redisUrl, { lazyConnect: true });
  /** The checkpoint notices of the spec's schema. */
  let notices = 0;
  let probed = false;

  afterAll(async () => {
    await admin.disconnect();
    await stack.remove();
    subscriber.disconnect();
    publisher.disconnect();
  });

  /** Whether every partition's checkpoint is at the end of the events topic (its last event). */
  async function checkpointsAtEnd(): Promise<boolean> {
    const ends = await fetchTopicOffsets(admin, topics.events);
    const rows = await db
      .withSchema(schema)
      .table(CHECKPOINTS_TABLE)
      .where({ projection: thingTotalsProjection.name, topic: topics.events })
      .select<{ partition: number; next_offset: string }[]>('partition', 'next_offset');
    const at = new Map(rows.map((r) => [r.partition, String(r.next_offset)]));
    // A transaction marker ends each partition: no batch moves past it.
    return ends.every(({ partition, high }) => high === '0' || BigInt(at.get(partition) ?? '0') >= BigInt(high) - 1n);
  }

  async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error(`${what} not within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('applies what it takes, opens no transaction for the rest, and moves every checkpoint to the end', async () => {
    await admin.connect();
    subscriber.on('message', (_channel: string, message: string) => {
      if (message === 'probe') probed = true;
      if (parseCheckpointNotice(message)?.schema === schema) notices += 1;
    });
    await subscriber.connect();
    await subscriber.subscribe(checkpointsChannel(stack.prefix));
    await serde.register(topics.events, [THINGS_COUNTED, THINGS_REMOVED]);
    await stack.start(stack.processor(thingsContextV2, serde));
    // Knex's own `transaction` cannot be spied on: the projector gets a view of `db` that counts them.
    let transactions = 0;
    const counted = new Proxy(db, {
      get(target, property, receiver) {
        if (property === 'transaction') transactions += 1;
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    await stack.start(
      stack.projector(
        {
          ...thingTotalsProjection,
          select: async (events) => events.filter((e) => e.data.thing.startsWith('kept')),
        },
        serde,
        { db: counted, checkpointNotices: false },
      ),
    );
    const client = await stack.client();

    for (const [thing, units] of [
      ['kept-bolts', 1],
      ['skipped-nuts', 2],
      ['kept-bolts', 3],
      ['skipped-washers', 4],
    ] as const)
      expect(await client.send(stack.count(thing, units))).toMatchObject({ status: 'accepted' });
    await until('the taken events applied and the checkpoints at the end', async () => {
      const rows = await db.withSchema(schema).table(THING_TOTALS_TABLE).select('thing', 'units');
      return rows.length === 1 && String(rows[0].units) === '4' && (await checkpointsAtEnd());
    });
    expect(await db.withSchema(schema).table(THING_TOTALS_TABLE).pluck('thing')).toEqual(['kept-bolts']);

    // Only events it does not take: no transaction, and the checkpoints still reach the end.
    transactions = 0;
    for (let i = 1; i <= 6; i++)
      expect(await client.send(stack.count(`skipped-${i}`, i))).toMatchObject({ status: 'accepted' });
    await until('the checkpoints past the skipped events', checkpointsAtEnd, 10_000);
    expect(transactions).toBe(0);
    expect(await db.withSchema(schema).table(THING_TOTALS_TABLE).pluck('thing')).toEqual(['kept-bolts']);
    // Redis delivers in the order it takes publishes: once this probe is here, so is any notice
    // of the batches above (each applied one would have published some).
    await publisher.connect();
    await publisher.publish(checkpointsChannel(stack.prefix), 'probe');
    await until('the probe delivered', async () => probed);
    expect(notices).toBe(0);
    expect(stack.redis.status).toBe('wait');
  }, 90_000);
});
