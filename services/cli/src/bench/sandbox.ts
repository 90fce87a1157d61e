import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Client } from 'pg';
import type { PlatformEnv, ReadModelEnv } from '@verity/service-kit';

/**
 * What one bench run owns on the shared stack: a topic prefix (topics, consumer groups,
 * registry subjects, Redis keys) and a PostgreSQL schema of its own, removed afterwards.
 */
export interface BenchSandbox {
  prefix: string;
  schema: string;
  /** The environment of the platform under test: isolated names, free ports, error logs only. */
  env: NodeJS.ProcessEnv;
  kafka: Kafka;
  admin: Admin;
  /** Removes everything the run created; each step is tried even when another fails. */
  cleanup(): Promise<void>;
}

export async function openSandbox(config: PlatformEnv & ReadModelEnv, baseEnv: NodeJS.ProcessEnv = process.env): Promise<BenchSandbox> {
  const id = randomUUID().replace(/-/g, '').slice(0, 10);
  const prefix = `bench${id}`;
  const schema = `bench_${id}`;
  const env: NodeJS.ProcessEnv = {
    ...baseEnv,
    VERITY_TOPIC_PREFIX: prefix,
    VERITY_DB_SCHEMA: schema,
    VERITY_GATEWAY_PORT: '0',
    VERITY_QUERY_API_PORT: '0',
    VERITY_COMMAND_PROCESSOR_PORT: '0',
    VERITY_PROJECTOR_PORT: '0',
    VERITY_LOG_LEVEL: 'error',
  };
  const kafka = new Kafka({ brokers: config.VERITY_KAFKA_BROKERS, clientId: `verity-${prefix}`, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ours = (name: string): boolean => name.startsWith(`${prefix}.`);

  const steps: Record<string, () => Promise<unknown>> = {
    topics: async () => {
      const topics = (await admin.listTopics()).filter(ours);
      if (topics.length > 0) await admin.deleteTopics({ topics });
    },
    'consumer groups': async () => {
      const groupIds = (await admin.listGroups()).groups.map((g) => g.groupId).filter(ours);
      if (groupIds.length > 0) await admin.deleteGroups(groupIds);
    },
    'registry subjects': () => deleteSubjects(config.VERITY_SCHEMA_REGISTRY_URL, ours),
    'PostgreSQL schema': async () => {
      const db = new Client({ connectionString: config.VERITY_DATABASE_URL });
      await db.connect();
      try {
        await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await db.end();
      }
    },
    'Redis keys': async () => {
      const redis = new Redis(config.VERITY_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
      await redis.connect();
      try {
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length > 0) await redis.del(...keys);
      } finally {
        redis.disconnect();
      }
    },
  };

  return {
    prefix,
    schema,
    env,
    kafka,
    admin,
    async cleanup() {
      for (const [what, step] of Object.entries(steps)) {
        await step().catch((error: Error) => process.stderr.write(`bench: could not remove ${what} of ${prefix}: ${error.message}\n`));
      }
      await admin.disconnect();
    },
  };
}

/** Soft-deletes, then permanently deletes, the subjects the run registered (Confluent API). */
async function deleteSubjects(registryUrl: string, ours: (subject: string) => boolean): Promise<void> {
  const base = registryUrl.replace(/\/$/, '');
  const list = await fetch(`${base}/subjects`);
  if (!list.ok) throw new Error(`GET /subjects: ${list.status}`);
  for (const subject of ((await list.json()) as string[]).filter(ours)) {
    const url = `${base}/subjects/${encodeURIComponent(subject)}`;
    await fetch(url, { method: 'DELETE' });
    const permanent = await fetch(`${url}?permanent=true`, { method: 'DELETE' });
    if (!permanent.ok) throw new Error(`DELETE ${subject}: ${permanent.status}`);
  }
}
