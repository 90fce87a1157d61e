import type { Admin, Message } from 'kafkajs';
import { VerityError } from '@verity/core';
import { contexts } from '@verity/domain';
import {
  createCommandProducer,
  contextTopics,
  aliasResolutionsTopic,
  repliesTopic,
  streamPartition,
  topicRange,
  UnknownTopicError,
  type PartitionRange,
} from '@verity/events';
import { createPlatform, parseEnv, platformEnvSchema, readModelEnvSchema, type Platform } from '@verity/service-kit';
import { eventLine } from './event-line';
import { writeText, type TextOut } from './export-sinks';
import { scanRange } from './range-scan';
import { parseReplayArgs, type ReplayArgs } from './replay-args';
import { replayToWebhook } from './replay-to-webhook';
import { describePosition } from './topic-position-arg';

export { REPLAY_USAGE } from './replay-args';

/** Where the command writes and what configures it; the process's own by default. */
export interface ReplayIo {
  env: NodeJS.ProcessEnv;
  stdout: TextOut;
  stderr: { write(text: string): unknown };
}

/** A replay may not write to the topics Verity itself reads and writes: the log stays the log. */
export class ProtectedTopicError extends VerityError {
  constructor(topic: string) {
    super('protected_topic', `${topic} is one of Verity's own topics; replay writes only to other topics`, {
      context: { topic },
    });
  }
}

/** Verity's topics under the configured prefix, and under the default one whatever the prefix. */
export function isProtectedTopic(topic: string, prefix: string): boolean {
  const names: string[] = contexts.map((c) => c.name);
  const own = names.flatMap((name) => {
    const { commands, events, state, deadLetters } = contextTopics(name, prefix);
    return [commands, events, state, deadLetters];
  });
  if (own.includes(topic) || topic === repliesTopic(prefix) || topic === aliasResolutionsTopic(prefix)) return true;
  return [prefix, 'verity'].some((p) => {
    const rest = topic.startsWith(`${p}.`) ? topic.slice(p.length + 1) : undefined;
    return (
      rest !== undefined &&
      /^[^.]+\.(events|commands|state)(\.dlq)?$|^command-replies$|^aliases\.resolutions$/.test(rest)
    );
  });
}

/** Records sent per produce request: each waits for every replica's acknowledgement. */
const SEND_BATCH = 2_000;

/** Runs `verity replay ...`; returns the exit code. */
export async function runReplay(
  args: readonly string[],
  io: ReplayIo = { env: process.env, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const replay = parseReplayArgs(args);
  const env = parseEnv(platformEnvSchema, io.env);
  const source = contextTopics(replay.context, env.VERITY_TOPIC_PREFIX).events;
  if (replay.target.kind === 'topic' && isProtectedTopic(replay.target.topic, env.VERITY_TOPIC_PREFIX))
    throw new ProtectedTopicError(replay.target.topic);
  const platform = createPlatform('cli-replay', {
    ...env,
    VERITY_LOG_LEVEL: io.env.VERITY_LOG_LEVEL ? env.VERITY_LOG_LEVEL : 'silent',
  });
  const admin = platform.kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(source)) throw new UnknownTopicError(source);
    // A stream's records are all on the partition its key hashes to: the others are not read.
    const partitions = replay.stream ? [await partitionOf(admin, source, replay.stream)] : undefined;
    const ranges = await topicRange(admin, source, replay.from, replay.to, partitions);
    io.stderr.write(
      `replaying ${source} from ${describePosition(replay.from)} to ${describePosition(replay.to)} (${ranges.size} partitions)\n`,
    );
    const { target } = replay;
    if (target.kind === 'webhook') {
      const startedAt = Date.now();
      const { VERITY_DATABASE_URL, VERITY_DB_SCHEMA } = parseEnv(readModelEnvSchema, io.env);
      const queued = await replayToWebhook(
        platform,
        admin,
        source,
        ranges,
        replay,
        {
          subscriptionId: target.subscriptionId,
          databaseUrl: VERITY_DATABASE_URL,
          schema: VERITY_DB_SCHEMA,
          brokers: env.VERITY_KAFKA_BROKERS,
          topicPrefix: env.VERITY_TOPIC_PREFIX,
        },
        io.stderr,
      );
      const elapsedMs = Date.now() - startedAt;
      io.stderr.write(
        `queued ${queued} deliveries to ${target.subscriptionId} in ${(elapsedMs / 1000).toFixed(1)} s; the webhook-dispatcher sends them\n`,
      );
      return 0;
    }
    const copied =
      target.kind === 'topic'
        ? await replayToTopic(platform, admin, source, target.topic, ranges, replay, io)
        : await replayToStdout(platform, admin, source, ranges, replay, io);
    io.stderr.write(
      `replayed ${copied.records} records in ${(copied.elapsedMs / 1000).toFixed(1)} s (${rate(copied)} records/s), ${copied.read} records read\n`,
    );
    return 0;
  } finally {
    await admin.disconnect();
  }
}

interface Copied {
  records: number;
  elapsedMs: number;
  /** Records read from the source to find them: the range's, whatever the filters kept. */
  read: number;
}

/** The partition of `stream`'s records, as the producers' murmur2 partitioner placed them. */
async function partitionOf(admin: Admin, topic: string, stream: string): Promise<number> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  return streamPartition(stream, topics[0]!.partitions.length);
}

const rate = ({ records, elapsedMs }: Copied): number => (elapsedMs > 0 ? Math.round((records * 1000) / elapsedMs) : 0);

/** Keeps the records the filters name: one stream, or one tenant's (keys are `<tenant>/<id>`). */
function selects(replay: ReplayArgs, key: Buffer | null): boolean {
  const text = key?.toString() ?? '';
  if (replay.stream !== undefined) return text === replay.stream;
  if (replay.tenant !== undefined) return text.startsWith(`${replay.tenant}/`);
  return true;
}

async function replayToTopic(
  { kafka, rdkafka }: Platform,
  admin: Admin,
  source: string,
  target: string,
  ranges: ReadonlyMap<number, PartitionRange>,
  replay: ReplayArgs,
  io: ReplayIo,
): Promise<Copied> {
  if (!(await admin.listTopics()).includes(target)) {
    // Same partition count as the source: the key partitioner puts each stream where it was.
    const { topics } = await admin.fetchTopicMetadata({ topics: [source] });
    await admin.createTopics({
      topics: [{ topic: target, numPartitions: topics[0]!.partitions.length }],
      waitForLeaders: true,
    });
  }
  // Idempotent with acks=all and murmur2 keys, as commands are sent: a retried send neither
  // duplicates nor reorders a stream, and each key lands on the partition it had in the source.
  const producer = createCommandProducer(rdkafka);
  await producer.connect();
  let pending: Message[] = [];
  let records = 0;
  // One send in flight while the next batch is read: sends start in order, each after the one before is acknowledged.
  let inFlight: Promise<void> = Promise.resolve();
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const messages = pending;
    pending = [];
    await inFlight;
    const sending = producer.send({ topic: target, messages }).then(() => {
      records += messages.length;
    });
    // Awaited by the next flush or at the end; until then a failure must not count as unhandled.
    sending.catch(() => undefined);
    inFlight = sending;
  };
  const startedAt = Date.now();
  try {
    const read = await scanRange({
      kafka,
      admin,
      topic: source,
      ranges,
      purpose: 'replay',
      progress: io.stderr,
      onRecord: async (message) => {
        if (!selects(replay, message.key)) return;
        pending.push({
          key: message.key,
          value: message.value,
          headers: message.headers ?? {},
          timestamp: message.timestamp,
        });
        if (pending.length >= SEND_BATCH) await flush();
      },
    });
    await flush();
    await inFlight;
    return { records, elapsedMs: Date.now() - startedAt, read };
  } finally {
    await producer.disconnect();
  }
}

async function replayToStdout(
  platform: Platform,
  admin: Admin,
  source: string,
  ranges: ReadonlyMap<number, PartitionRange>,
  replay: ReplayArgs,
  io: ReplayIo,
): Promise<Copied> {
  let records = 0;
  const startedAt = Date.now();
  const read = await scanRange({
    kafka: platform.kafka,
    admin,
    topic: source,
    ranges,
    purpose: 'replay',
    progress: io.stderr,
    onRecord: async (message, partition) => {
      if (!selects(replay, message.key)) return;
      const where = { context: replay.context, topic: source, partition };
      const { value } = await platform.serde.decode(message.value, { ...where, offset: message.offset });
      await writeText(io.stdout, `${JSON.stringify(eventLine(where, message, value, false))}\n`);
      records++;
    },
  });
  return { records, elapsedMs: Date.now() - startedAt, read };
}
