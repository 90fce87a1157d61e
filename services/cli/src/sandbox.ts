import { randomBytes, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Client } from 'pg';
import { retry, SchemaCatalog, subjectOf } from '@verity/events';
import { ALIAS_RESOLUTION_FULL_NAME } from '@verity/projection-alias-resolutions';
import type { PlatformEnv, ReadModelEnv } from '@verity/service-kit';
import { sandboxAuthEnv } from './sandbox-credentials';

/**
 * What one bench run or test suite owns on the shared stack: a topic prefix (topics, consumer
 * groups, registry subjects, Redis keys), a PostgreSQL schema and a folder of processors'
 * local state stores of its own, removed afterwards,
 * so runs repeat and run in parallel without seeing each other.
 */
export interface Sandbox {
  prefix: string;
  schema: string;
  /** The environment of the platform under test: isolated names, free ports, `logLevel` logs. */
  env: NodeJS.ProcessEnv;
  kafka: Kafka;
  admin: Admin;
  /** Removes everything the run created; each step is tried even when another fails. */
  cleanup(): Promise<void>;
}

export interface SandboxOptions {
  /** Starts the prefix (`bench`, `t`) and names the run in cleanup warnings. */
  label: string;
  /** Environment the isolated one is built on. Default: this process's. */
  baseEnv?: NodeJS.ProcessEnv;
  /** VERITY_LOG_LEVEL of the platform under test. Default `error`. */
  logLevel?: string;
}

export async function openSandbox(config: PlatformEnv & ReadModelEnv, options: SandboxOptions): Promise<Sandbox> {
  const { label, baseEnv = process.env, logLevel: platformLogLevel = 'error' } = options;
  const id = randomUUID().replace(/-/g, '').slice(0, 10);
  const prefix = `${label}${id}`;
  const schema = `${label}_${id}`;
  const stateDir = join(tmpdir(), `verity-${prefix}`);
  const env: NodeJS.ProcessEnv = {
    ...baseEnv,
    VERITY_TOPIC_PREFIX: prefix,
    VERITY_DB_SCHEMA: schema,
    VERITY_GATEWAY_PORT: '0',
    VERITY_QUERY_API_PORT: '0',
    VERITY_COMMAND_PROCESSOR_PORT: '0',
    VERITY_PROJECTOR_PORT: '0',
    VERITY_WEBHOOK_INGESTOR_PORT: '0',
    // The key webhook secrets are sealed under: one per sandbox, as a deployment has its own.
    VERITY_SECRETS_KEY: randomBytes(32).toString('base64'),
    VERITY_CDC_INGESTOR_PORT: '0',
    VERITY_POLLER_PORT: '0',
    VERITY_WEBHOOK_DISPATCHER_PORT: '0',
    VERITY_LOG_LEVEL: platformLogLevel,
    VERITY_STATE_DIR: stateDir,
    // Tokens the run signs itself; limits out of the way of load (a test of limits sets its own).
    ...sandboxAuthEnv(),
    VERITY_RATE_LIMIT_READER: '1000000',
    VERITY_RATE_LIMIT_WRITER: '1000000',
    VERITY_RATE_LIMIT_ADMIN: '1000000',
    VERITY_RATE_LIMIT_ADDRESS: '1000000',
    VERITY_METRICS_OPEN: 'true',
  };
  const kafka = new Kafka({
    brokers: config.VERITY_KAFKA_BROKERS,
    clientId: `verity-${prefix}`,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const ours = (name: string): boolean => name.startsWith(`${prefix}.`);

  // The registry step needs the topics' names after the topics step deleted them.
  let topics: string[] = [];
  const steps: Record<string, () => Promise<unknown>> = {
    topics: async () => {
      topics = (await admin.listTopics()).filter(ours);
      if (topics.length > 0) await admin.deleteTopics({ topics });
    },
    'consumer groups': async () =>
      deleteGroups(admin, (await admin.listGroups()).groups.map((g) => g.groupId).filter(ours)),
    'registry subjects': () =>
      deleteSubjects(config.VERITY_SCHEMA_REGISTRY_URL, `${prefix}.`, [
        ...eventSubjects(topics),
        ...resolutionSubjects(topics),
      ]),
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
    'local state stores': () => rm(stateDir, { recursive: true, force: true }),
  };

  return {
    prefix,
    schema,
    env,
    kafka,
    admin,
    async cleanup() {
      for (const [what, step] of Object.entries(steps)) {
        await step().catch((error: Error) =>
          process.stderr.write(`${label}: could not remove ${what} of ${prefix}: ${error.message}\n`),
        );
      }
      await admin.disconnect();
    },
  };
}

/**
 * Deletes consumer groups. A group whose last member just left may not be empty yet on the
 * coordinator: retried. One gone meanwhile (the coordinator drops an empty group that committed
 * no offsets, as a rebuild's) counts as deleted; what still fails is named with its error.
 */
async function deleteGroups(admin: Admin, groupIds: readonly string[]): Promise<void> {
  let left = [...groupIds];
  await retry(
    async () => {
      if (left.length === 0) return;
      try {
        await admin.deleteGroups(left);
        left = [];
      } catch (error) {
        const failed = (error as { groups?: { groupId: string; error?: { type?: string } }[] }).groups;
        if (!failed) throw error;
        left = failed.filter((g) => g.error?.type !== 'GROUP_ID_NOT_FOUND').map((g) => g.groupId);
        if (left.length > 0)
          throw new Error(
            `${(error as Error).message}: ${failed.map((g) => `${g.groupId} ${g.error?.type}`).join(', ')}`,
            { cause: error },
          );
      }
    },
    { attempts: 5, isRetriable: () => true },
  );
}

/** The subjects our events are registered under (`<events topic>-<full name>`, TopicRecordNameStrategy). */
function eventSubjects(topics: readonly string[]): string[] {
  const names = SchemaCatalog.load().fullNames();
  return topics.flatMap((topic) =>
    names.filter((name) => topic.endsWith(`.${name.split('.')[1]}.events`)).map((name) => `${topic}-${name}`),
  );
}

/** The subject of the alias resolution records, on the run's resolutions topic. */
const resolutionSubjects = (topics: readonly string[]): string[] =>
  topics
    .filter((topic) => topic.endsWith('.aliases.resolutions'))
    .map((topic) => subjectOf(topic, ALIAS_RESOLUTION_FULL_NAME));

/**
 * Soft-deletes, then permanently deletes, the subjects the run registered (Confluent API):
 * those listed under the prefix, and the known event subjects of its topics, since a registry
 * may list only a page of subjects (Apicurio: the first 1000) and ignore `subjectPrefix`.
 */
async function deleteSubjects(registryUrl: string, prefix: string, known: readonly string[]): Promise<void> {
  const base = registryUrl.replace(/\/$/, '');
  const list = await fetch(`${base}/subjects?subjectPrefix=${encodeURIComponent(prefix)}`);
  if (!list.ok) throw new Error(`GET /subjects: ${list.status}`);
  const listed = ((await list.json()) as string[]).filter((subject) => subject.startsWith(prefix));
  for (const subject of new Set([...listed, ...known])) {
    const url = `${base}/subjects/${encodeURIComponent(subject)}`;
    const soft = await fetch(url, { method: 'DELETE' });
    if (soft.status === 404) continue;
    const permanent = await fetch(`${url}?permanent=true`, { method: 'DELETE' });
    if (!permanent.ok) throw new Error(`DELETE ${subject}: ${permanent.status}`);
  }
}
