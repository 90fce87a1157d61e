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
import { CHECKPOINTS_TABLE } from './checkpoints';

/**
 * A projection's `select` (the webhook outbox's: events some subscription takes) keeps the
 * events it does not take out of the transaction: a batch of only those opens none, and its
 * checkpoint still reaches the end of the partition, by a timer once the batches stop.
 */
describe('a projection that selects the events it applies', () => {
  const stack = thingsStack('projector-select', 's');
  const { kafka, db, schema, topics } = stack;
  const serde = new AvroSerde(stack.registry, thingsCatalog(2), [dozensToUnits]);
  const admin = kafka.admin();

  afterAll(async () => {
    await admin.disconnect();
    await stack.remove();
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
        counted,
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
  }, 90_000);
});
