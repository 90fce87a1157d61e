import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { PartitionEnds } from './partition-ends';

// The project's own broker, as `verity infra up` starts it.
const kafka = new Kafka({ brokers: ['localhost:9092'], clientId: 'partition-ends-spec', logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const topic = `t${randomUUID().replace(/-/g, '').slice(0, 10)}.ends`;
const ends = new PartitionEnds({ brokers: ['localhost:9092'], clientId: 'partition-ends-spec', end: 'stable' });
const high = new PartitionEnds({ brokers: ['localhost:9092'], clientId: 'partition-ends-spec.high', end: 'high' });

beforeAll(async () => {
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
});
afterAll(async () => {
  ends.close();
  high.close();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
});

describe('the ends of partitions on the real broker', () => {
  it('count what was appended; the stable end stops before a transaction still open, the high one does not', async () => {
    expect(await ends.ends(topic, [0, 1, 2])).toEqual(
      new Map([
        [0, 0n],
        [1, 0n],
        [2, 0n],
      ]),
    );

    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic, messages: [0, 1, 2, 3, 4].map((i) => ({ key: 'k', value: `${i}`, partition: 0 })) });
    await plain.disconnect();

    const transactional = kafka.producer({ transactionalId: `${topic}.tx`, idempotent: true, maxInFlightRequests: 1 });
    await transactional.connect();
    const transaction = await transactional.transaction();
    await transaction.send({
      topic,
      messages: [
        { key: 'k', value: 'a', partition: 1 },
        { key: 'k', value: 'b', partition: 1 },
      ],
    });

    // Only partition 1's open records are held back; partition 2 was never asked about by the caller.
    expect(await ends.ends(topic, [0, 1])).toEqual(
      new Map([
        [0, 5n],
        [1, 0n],
      ]),
    );
    // The high watermark counts them already: a reader waiting for it waits for the transaction.
    expect(await high.ends(topic, [0, 1])).toEqual(
      new Map([
        [0, 5n],
        [1, 2n],
      ]),
    );

    await transaction.commit();
    await transactional.disconnect();
    // The two records and the commit marker, which the coordinator writes after it acknowledged
    // the commit: asked at once, the partition may not have it yet.
    const settle = async (of: PartitionEnds): Promise<bigint | undefined> => {
      for (const deadline = Date.now() + 10_000; ; await new Promise((r) => setTimeout(r, 20))) {
        const end = (await of.ends(topic, [1])).get(1);
        if (end === 3n || Date.now() > deadline) return end;
      }
    };
    expect(await settle(ends)).toBe(3n);
    expect(await settle(high)).toBe(3n);
  });

  it('reject a topic that does not exist with a retriable error', async () => {
    for (const asked of [ends, high])
      await expect(asked.ends(`${topic}.missing`, [0])).rejects.toMatchObject({
        code: 'topic_offsets_unavailable',
        retriable: true,
      });
  });
});
