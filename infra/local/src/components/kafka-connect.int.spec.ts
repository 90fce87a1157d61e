import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { defaultEndpoints, infraUp } from '../index';
import { POSTGRES_CONNECTOR_CLASS } from './kafka-connect';

jest.setTimeout(600_000);

const connectApi = (path: string, init?: RequestInit): Promise<Response> =>
  fetch(`${defaultEndpoints.kafkaConnectUrl}${path}`, { headers: { 'content-type': 'application/json' }, ...init });

// Proves the whole CDC path: PostgreSQL logical WAL -> Debezium in Connect -> a Kafka topic.
describe('Kafka Connect with the Debezium PostgreSQL connector', () => {
  beforeAll(async () => {
    await infraUp({ onProgress: () => undefined });
  });

  it('streams a row inserted in PostgreSQL to a Kafka topic', async () => {
    const id = `cdc_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const topic = `${id}.public.${id}`;
    const pg = new Client({ connectionString: defaultEndpoints.postgresUrl });
    const kafka = new Kafka({ brokers: defaultEndpoints.kafkaBrokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const consumer = kafka.consumer({ groupId: id });
    await pg.connect();
    await admin.connect();
    try {
      // Schema-qualified: role verity's search_path starts with "$user", and a `verity` schema may exist.
      await pg.query(`CREATE TABLE public.${id} (id int PRIMARY KEY, name text)`);
      const created = await connectApi('/connectors', {
        method: 'POST',
        body: JSON.stringify({
          name: id,
          config: {
            'connector.class': POSTGRES_CONNECTOR_CLASS,
            'plugin.name': 'pgoutput',
            'database.hostname': '127.0.0.1',
            'database.port': '5442',
            'database.user': 'verity',
            'database.password': 'verity',
            'database.dbname': 'verity',
            'topic.prefix': id,
            'table.include.list': `public.${id}`,
            'slot.name': id,
            'publication.name': id,
            'publication.autocreate.mode': 'filtered',
            // The broker does not auto-create topics.
            'topic.creation.default.replication.factor': '1',
            'topic.creation.default.partitions': '1',
          },
        }),
      });
      expect(created.status).toBe(201);
      await pg.query(`INSERT INTO public.${id} VALUES (1, 'hello')`);

      const deadline = Date.now() + 120_000;
      while (!(await admin.listTopics()).includes(topic)) {
        if (Date.now() > deadline) throw new Error(`topic ${topic} never appeared`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const value = await new Promise<string>((resolve) => {
        void consumer.run({ eachMessage: async ({ message }) => resolve(message.value?.toString() ?? '') });
      });
      expect(JSON.parse(value)).toMatchObject({ after: { id: 1, name: 'hello' }, source: { connector: 'postgresql' } });
    } finally {
      await consumer.disconnect();
      await connectApi(`/connectors/${id}`, { method: 'DELETE' });
      // The slot stays active until the task has stopped; retry briefly before giving up on it.
      for (let attempt = 0; attempt < 20; attempt++) {
        const dropped = await pg
          .query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [id])
          .then(
            () => true,
            () => false,
          );
        if (dropped) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      await pg.query(`DROP PUBLICATION IF EXISTS ${id}`);
      await pg.query(`DROP TABLE IF EXISTS public.${id}`);
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
      await pg.end();
    }
  });
});
