import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { Redis } from 'ioredis';
import knex, { type Knex } from 'knex';
import { fetchTopicOffsets } from '@verity/events';
import { parseEnv, platformEnvSchema, readModelEnvSchema, type HttpRoute } from '@verity/service-kit';
import { openSandbox } from '../sandbox';
import { bearer, type TokenClaims } from '../sandbox-credentials';
import { SERVICE_NAMES, createService, type NamedService, type ServiceName } from '../services';
import { readTopicRecords } from './topic-reader';

/**
 * The real platform for one test suite: every service in this process on free ports, against
 * the local stack, with a topic prefix, consumer groups, PostgreSQL schema and Redis key
 * prefix of its own, so suites run repeatedly and in parallel without seeing each other.
 */
export interface TestPlatform {
  prefix: string;
  schema: string;
  env: NodeJS.ProcessEnv;
  urls: Partial<Record<ServiceName, string>>;
  /** The routes each running service serves, read from its router. */
  routes: Partial<Record<ServiceName, readonly HttpRoute[]>>;
  kafka: Kafka;
  admin: Admin;
  registry: SchemaRegistry;
  db: Knex;
  redis: Redis;
  startService(name: ServiceName): Promise<void>;
  stopService(name: ServiceName): Promise<void>;
  /** Offsets just past the last record, per partition, of a topic. */
  endOffsets(topic: string): Promise<Record<number, string>>;
  /**
   * `Authorization: Bearer <JWT>` signed with the platform's secret: tenant `default`, `admin`,
   * unless `claims` say otherwise. Tokens of the default lifetime are signed once per claims and
   * reused, as a client does, so load is not spent signing.
   */
  credential(claims?: TokenClaims): Promise<Record<string, string>>;
  /** Every record of a topic from the start, read until `until` says enough or the timeout. */
  readTopic(topic: string, until: (messages: KafkaMessage[]) => boolean, timeoutMs?: number): Promise<KafkaMessage[]>;
  stop(): Promise<void>;
}

export interface TestPlatformOptions {
  /** The environment the platform's settings are read from, e.g. with other brokers. Default: this process's. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Variables set on top of the isolated environment, e.g. a longer VERITY_REPLY_TIMEOUT_MS; they win. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The command path: what most suites drive. The ingestors are started by the suites that test
 * them, so a suite of the gateway does not also run a poller, a CDC consumer and a webhook server.
 */
export const COMMAND_PATH: readonly ServiceName[] = ['command-processor', 'projector', 'gateway', 'query-api'];

export async function startTestPlatform(
  services: readonly ServiceName[] = COMMAND_PATH,
  options: TestPlatformOptions = {},
): Promise<TestPlatform> {
  const { baseEnv = process.env } = options;
  const config = parseEnv(platformEnvSchema.extend(readModelEnvSchema.shape), baseEnv);
  const sandbox = await openSandbox(config, {
    label: 't',
    baseEnv,
    logLevel: baseEnv.VERITY_TEST_LOG_LEVEL ?? 'error',
  });
  const { prefix, schema, kafka, admin } = sandbox;
  const env: NodeJS.ProcessEnv = { ...sandbox.env, ...options.env };
  const registry = new SchemaRegistry({ host: config.VERITY_SCHEMA_REGISTRY_URL });
  const db = knex({ client: 'pg', connection: config.VERITY_DATABASE_URL, pool: { min: 0, max: 4 } });
  const redis = new Redis(config.VERITY_REDIS_URL);
  const running = new Map<ServiceName, NamedService>();
  const urls: Partial<Record<ServiceName, string>> = {};
  const routes: Partial<Record<ServiceName, readonly HttpRoute[]>> = {};
  const signed = new Map<string, Promise<Record<string, string>>>();

  const platform: TestPlatform = {
    prefix,
    schema,
    env,
    urls,
    routes,
    kafka,
    admin,
    registry,
    db,
    redis,
    async startService(name) {
      const service = createService(name, env);
      // Registered before it starts, so a start that fails half-way is still stopped.
      running.set(name, service);
      const server = await service.start();
      urls[name] = server.url;
      routes[name] = server.routes;
    },
    async stopService(name) {
      await running.get(name)?.stop();
      running.delete(name);
      delete urls[name];
      delete routes[name];
    },
    async endOffsets(topic) {
      const offsets = await fetchTopicOffsets(admin, topic);
      return Object.fromEntries(offsets.map((o) => [o.partition, o.high]));
    },
    credential(claims = {}) {
      // A token with its own lifetime is about time (expiry): always a fresh one.
      if (claims.expiresInS !== undefined) return bearer(env, claims);
      const key = JSON.stringify(Object.entries(claims).sort(([a], [b]) => a.localeCompare(b)));
      if (!signed.has(key)) signed.set(key, bearer(env, claims));
      return signed.get(key)!;
    },
    async readTopic(topic, until, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      await eventually(
        async () => ((await admin.listTopics()).includes(topic) ? true : undefined),
        timeoutMs,
        `${topic} existing`,
      );
      const partitions = await fetchTopicOffsets(admin, topic);
      return readTopicRecords({
        brokers: config.VERITY_KAFKA_BROKERS,
        clientId: `${prefix}.test-reader`,
        topic,
        from: new Map(partitions.map((p): [number, bigint] => [p.partition, BigInt(p.low)])),
        until,
        deadline,
      });
    },
    async stop() {
      for (const name of [...running.keys()].reverse()) await platform.stopService(name);
      await db.destroy();
      redis.disconnect();
      await sandbox.cleanup();
    },
  };
  try {
    for (const name of SERVICE_NAMES.filter((n) => services.includes(n))) await platform.startService(name);
  } catch (error) {
    await platform.stop();
    throw error;
  }
  return platform;
}

/** Polls `probe` until it returns something other than undefined. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The value of header `name` (any case) in `headers`. */
const headerOf = (headers: Record<string, string>, name: string): string | undefined =>
  Object.entries(headers).find(([h]) => h.toLowerCase() === name)?.[1];

/**
 * The headers a client of the tenant `headers` name (`X-Tenant-Id`, else `default`) sends: an
 * admin credential of that tenant, unless `headers` bring their own `authorization`. A client
 * naming an actor (`X-Actor`) signs in as that subject, so the actor recorded is the one it
 * names whether the services take it from the credential or from the header.
 */
export async function withCredential(
  platform: TestPlatform,
  headers: Record<string, string> = {},
): Promise<Record<string, string>> {
  if (headerOf(headers, 'authorization') !== undefined || headerOf(headers, 'x-api-key') !== undefined) return headers;
  const tenant = headerOf(headers, 'x-tenant-id');
  const subject = headerOf(headers, 'x-actor');
  return {
    ...(await platform.credential({
      ...(tenant === undefined ? {} : { tenant }),
      ...(subject === undefined ? {} : { subject }),
    })),
    ...headers,
  };
}

/** POSTs a command to the gateway the way a client does, with the tenant's credential (`withCredential`). */
export async function postCommand(
  platform: TestPlatform,
  type: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(`${platform.urls.gateway}/v1/commands/${type}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await withCredential(platform, headers)) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** ReceiveStock at `berlin` as a writer `subject` of `tenant`, the tenant named in `X-Tenant-Id`; the gateway's status. */
export async function receiveStockAs(
  platform: TestPlatform,
  who: { tenant: string; subject: string },
  sku: string,
  quantity: number,
): Promise<number> {
  const credential = await platform.credential({ tenant: who.tenant, roles: ['writer'], subject: who.subject });
  const res = await postCommand(
    platform,
    'inventory.ReceiveStock',
    { sku, location: 'berlin', quantity },
    { ...credential, 'X-Tenant-Id': who.tenant },
  );
  return res.status;
}
