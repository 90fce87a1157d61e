import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { PartitionReader, type ReadRecord } from './partition-reader';
import type { PartitionEnd } from './partition-ends';

// The project's own broker, as `verity infra up` starts it.
const brokers = ['localhost:9092'];
const kafka = new Kafka({ brokers, clientId: 'partition-reader-spec', logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const topic = `t${randomUUID().replace(/-/g, '').slice(0, 10)}.reader`;

beforeAll(async () => {
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
});
afterAll(async () => {
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
});

const readerOf = (end: PartitionEnd, read: string[]) =>
  new PartitionReader({
    brokers,
    topic,
    clientId: `${topic}.${end}`,
    end,
    apply: async (records: ReadRecord[]) => {
      for (const record of records) read.push(record.value.toString());
    },
  });

const settledWithin = async (promise: Promise<void>, ms: number): Promise<boolean> =>
  Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

describe('a partition reader catching up on the real broker', () => {
  it('waits for a transaction written before the call when it waits for the high end, and not when for the stable one', async () => {
    const transactional = kafka.producer({ transactionalId: `${topic}.tx`, idempotent: true, maxInFlightRequests: 1 });
    await transactional.connect();
    const high: string[] = [];
    const stable: string[] = [];
    const readers = [readerOf('high', high), readerOf('stable', stable)];
    for (const reader of readers)
      await reader.start(
        new Map([
          [0, 0n],
          [1, 0n],
        ]),
      );
    try {
      const transaction = await transactional.transaction();
      await transaction.send({ topic, messages: [{ key: 'k', value: 'written', partition: 1 }] });

      // Committed on another partition first, as a reply is: the stable end does not count it yet.
      await readers[1]!.catchUp();
      expect(stable).toEqual([]);
      const waiting = readers[0]!.catchUp(undefined, 30_000);
      expect(await settledWithin(waiting, 500)).toBe(false);

      await transaction.commit();
      await waiting;
      expect(high).toEqual(['written']);
    } finally {
      for (const reader of readers) await reader.stop();
      await transactional.disconnect();
    }
  });

  it('gives up at its timeout with a named, retriable error while the transaction stays open', async () => {
    const transactional = kafka.producer({
      transactionalId: `${topic}.open`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await transactional.connect();
    const reader = readerOf('high', []);
    await reader.start(new Map([[0, 0n]]));
    const transaction = await transactional.transaction();
    try {
      await transaction.send({ topic, messages: [{ key: 'k', value: 'open', partition: 0 }] });
      await expect(reader.catchUp(undefined, 300)).rejects.toMatchObject({
        code: 'table_catch_up_timeout',
        retriable: true,
      });
    } finally {
      await transaction.abort();
      await reader.stop();
      await transactional.disconnect();
    }
  });
});
