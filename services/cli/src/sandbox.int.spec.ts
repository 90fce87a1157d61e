import { Redis } from 'ioredis';
import { Client } from 'pg';
import { parseEnv, platformEnvSchema, readModelEnvSchema } from '@verity/service-kit';
import { openSandbox } from './sandbox';

describe('sandbox on the real stack', () => {
  const config = parseEnv(platformEnvSchema.extend(readModelEnvSchema.shape));

  it('cleanup removes the topics, groups, registry subjects, schema and Redis keys under its prefix, and nothing else', async () => {
    const sandbox = await openSandbox(config, { label: 'sbx' });
    const neighbour = await openSandbox(config, { label: 'sbx' });
    const registry = config.VERITY_SCHEMA_REGISTRY_URL.replace(/\/$/, '');
    // A subject as the platform registers them: one of the catalogue's events on a context's events topic.
    const schema = JSON.stringify({
      type: 'record',
      name: 'StockReceived',
      namespace: 'verity.inventory',
      fields: [{ name: 'sku', type: 'string' }],
    });
    const subjectOf = (prefix: string) => `${prefix}.inventory.events-verity.inventory.StockReceived`;
    const register = (subject: string) =>
      fetch(`${registry}/subjects/${encodeURIComponent(subject)}/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ schema }),
      });
    const registered = async (prefix: string) =>
      (await fetch(`${registry}/subjects/${encodeURIComponent(subjectOf(prefix))}/versions`)).status === 200;
    const db = new Client({ connectionString: config.VERITY_DATABASE_URL });
    await db.connect();
    const redis = new Redis(config.VERITY_REDIS_URL);
    try {
      for (const { prefix, schema: pgSchema, admin } of [sandbox, neighbour]) {
        await admin.createTopics({
          topics: [
            { topic: `${prefix}.probe`, numPartitions: 1 },
            { topic: `${prefix}.inventory.events`, numPartitions: 1 },
          ],
          waitForLeaders: true,
        });
        expect((await register(subjectOf(prefix))).ok).toBe(true);
        await db.query(`CREATE SCHEMA "${pgSchema}"`);
        await redis.set(`${prefix}:probe`, '1');
      }
      const consumer = sandbox.kafka.consumer({ groupId: `${sandbox.prefix}.probe-group` });
      await consumer.connect();
      await consumer.subscribe({ topic: `${sandbox.prefix}.probe`, fromBeginning: true });
      await consumer.run({ eachMessage: async () => undefined });
      await consumer.disconnect();

      await sandbox.cleanup();

      const topics = await neighbour.admin.listTopics();
      expect(topics).not.toContain(`${sandbox.prefix}.probe`);
      expect(topics).toContain(`${neighbour.prefix}.probe`);
      expect((await neighbour.admin.listGroups()).groups.map((g) => g.groupId)).not.toContain(
        `${sandbox.prefix}.probe-group`,
      );
      expect(await registered(sandbox.prefix)).toBe(false);
      expect(await registered(neighbour.prefix)).toBe(true);
      const schemas = await db.query(
        'SELECT schema_name FROM information_schema.schemata WHERE schema_name = ANY($1)',
        [[sandbox.schema, neighbour.schema]],
      );
      expect(schemas.rows.map((r: { schema_name: string }) => r.schema_name)).toEqual([neighbour.schema]);
      expect(await redis.exists(`${sandbox.prefix}:probe`, `${neighbour.prefix}:probe`)).toBe(1);
    } finally {
      await neighbour.cleanup();
      await db.end();
      redis.disconnect();
    }
  });
});
