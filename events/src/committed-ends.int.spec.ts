import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { CommittedEnds } from './committed-ends';

// The project's own broker, as `verity infra up` starts it.
const kafka = new Kafka({ brokers: ['localhost:9092'], clientId: 'committed-ends-spec', logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const topic = `t${randomUUID().replace(/-/g, '').slice(0, 10)}.ends`;
const ends = new CommittedEnds({ brokers: ['localhost:9092'], clientId: 'committed-ends-spec' });

beforeAll(async () => {
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
});
afterAll(async () => {
  ends.close();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
});

describe('the committed ends of partitions on the real broker', () => {
  it('count what was appended, and stop before a transaction still open until it commits', async () => {
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

    await transaction.commit();
    await transactional.disconnect();
    // The two records and the commit marker.
    expect((await ends.ends(topic, [1])).get(1)).toBe(3n);
  });

  it('reject a topic that does not exist with a retriable error', async () => {
    await expect(ends.ends(`${topic}.missing`, [0])).rejects.toMatchObject({
      code: 'topic_offsets_unavailable',
      retriable: true,
    });
  });
});
