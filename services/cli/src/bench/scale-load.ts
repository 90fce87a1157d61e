import { eventFullName, VerityError } from '@verity/core';
import { inventoryContext } from '@verity/domain';
import {
  contextTopicConfigs,
  contextTopics,
  ensureTopics,
  fetchTopicOffsets,
  repliesTopic,
  repliesTopicConfig,
  type AvroSerde,
  type RdKafka,
  type RdProducer,
} from '@verity/events';
import type { Admin } from 'kafkajs';
import type { ScaleShape } from './scale-options';
import { loadBatch, loadRepliesOf, pastRefusal, replyRecord, type LoadRecord } from './scale-streams';

export interface ScaleLoadOptions {
  rdkafka: RdKafka;
  admin: Admin;
  /** Registers the inventory events on the sandbox's events topic and encodes them. */
  serde: AvroSerde;
  /** The sandbox's topic prefix. */
  prefix: string;
  shape: ScaleShape;
  partitions: number;
  replicationFactor: number;
  /** The replies topic's retention, as the services set it (VERITY_OUTCOME_RETENTION_MS). */
  outcomeWindowMs: number;
  /** Progress lines, on stderr: a full load takes minutes. */
  progress: (message: string) => void;
}

/** What a load wrote. */
export interface ScaleLoad {
  events: number;
  states: number;
  outcomes: number;
  seconds: number;
  recordsPerS: number;
  /** Expiry of each reservation loaded (ms since the epoch), ascending: how many are due at a time. */
  expiries: number[];
}

/** Streams decided and sent per step. */
const STREAMS_PER_BATCH = 2000;
/** Past outcomes sent per step. */
const OUTCOMES_PER_BATCH = 5000;
/** Sends awaited at most at once: enough to keep librdkafka's batches full, few enough to bound memory. */
const SENDS_IN_FLIGHT = 24;
const PROGRESS_EVERY_MS = 2000;

/**
 * Writes a size's topics directly, as the processor would have written them (see
 * `loadBatch`): for every stream its events on `<prefix>.inventory.events` and its snapshot on
 * `<prefix>.inventory.state`, on the stream's partition, and the outcomes on
 * `<prefix>.command-replies` (the loaded commands' own, then past refusals), through one
 * idempotent librdkafka producer with large batches. The topics are created first as the
 * services create them; afterwards each events partition must end where the replies say.
 */
export async function loadScale(options: ScaleLoadOptions): Promise<ScaleLoad> {
  const { rdkafka, admin, serde, prefix, shape, partitions, progress } = options;
  const topics = contextTopics(inventoryContext.name, prefix);
  const replies = repliesTopic(prefix);
  await ensureTopics(
    admin,
    [...contextTopicConfigs(topics, partitions), repliesTopicConfig(replies, { retentionMs: options.outcomeWindowMs })],
    options.replicationFactor,
  );
  await serde.register(
    topics.events,
    inventoryContext.events.map((e) => eventFullName(inventoryContext.name, e)),
  );
  const producer = rdkafka.producer({
    kafkaJS: { idempotent: true, acks: -1, allowAutoTopicCreation: false },
    'linger.ms': 20,
    'batch.num.messages': 100_000,
    'queue.buffering.max.messages': 1_000_000,
  });
  await producer.connect();
  const started = process.hrtime.bigint();
  const elapsedS = (): number => Number(process.hrtime.bigint() - started) / 1e9;
  const sends = sendWindow(producer);
  const counts = { events: 0, states: 0, outcomes: 0 };
  let lastProgress = 0;
  const report = (what: string, force = false): void => {
    if (!force && Date.now() - lastProgress < PROGRESS_EVERY_MS) return;
    lastProgress = Date.now();
    const records = counts.events + counts.states + counts.outcomes;
    progress(`${what}: ${records} records in ${elapsedS().toFixed(0)} s (${(records / elapsedS()).toFixed(0)}/s)`);
  };

  try {
    const offsets = Array.from({ length: partitions }, () => 0n);
    const expiries: number[] = [];
    const encode = (fullName: string, data: Record<string, unknown>) => serde.encode(topics.events, fullName, data);
    for (let from = 0; from < shape.streams; from += STREAMS_PER_BATCH) {
      const to = Math.min(shape.streams, from + STREAMS_PER_BATCH);
      const batch = loadBatch(from, to, {
        tenants: shape.tenants,
        partitions,
        topics,
        at: new Date(),
        encode,
        offsets,
      });
      // The loaded commands' replies count among the outcomes, as far as they go.
      const ownReplies = batch.replies.slice(0, Math.max(0, shape.outcomes - counts.outcomes));
      await sends.add(topics.events, batch.events);
      await sends.add(topics.state, batch.states);
      await sends.add(replies, ownReplies);
      counts.events += batch.events.length;
      counts.states += batch.states.length;
      counts.outcomes += ownReplies.length;
      expiries.push(...batch.expiries);
      report(`streams ${to} of ${shape.streams}`);
    }
    const refusals = Math.max(0, shape.outcomes - loadRepliesOf(shape.streams));
    for (let from = 0; from < refusals; from += OUTCOMES_PER_BATCH) {
      const to = Math.min(refusals, from + OUTCOMES_PER_BATCH);
      const records = Array.from({ length: to - from }, (_, i) => replyRecord(pastRefusal(from + i, shape)));
      await sends.add(replies, records);
      counts.outcomes += records.length;
      report(`past outcomes ${to} of ${refusals}`);
    }
    await sends.drain();
    report('loaded', true);
    await checkEventOffsets(admin, topics.events, offsets);
    const seconds = elapsedS();
    return {
      ...counts,
      seconds,
      recordsPerS: (counts.events + counts.states + counts.outcomes) / seconds,
      expiries: expiries.sort((a, b) => a - b),
    };
  } finally {
    await sends.drain().catch(() => undefined);
    await producer.disconnect();
  }
}

/** Sends with at most SENDS_IN_FLIGHT awaited at once; a failed send fails the next `add` or `drain`. */
function sendWindow(producer: RdProducer) {
  const pending: Promise<unknown>[] = [];
  return {
    async add(topic: string, messages: LoadRecord[]): Promise<void> {
      if (messages.length === 0) return;
      const sent = producer.send({ topic, messages });
      // Awaited later, in order; until then a failure must not count as unhandled.
      sent.catch(() => undefined);
      pending.push(sent);
      while (pending.length > SENDS_IN_FLIGHT) await pending.shift();
    },
    async drain(): Promise<void> {
      while (pending.length > 0) await pending.shift();
    },
  };
}

/** The replies and snapshots carry offsets predicted as the only writer's: the topic must agree. */
async function checkEventOffsets(admin: Admin, topic: string, predicted: readonly bigint[]): Promise<void> {
  const ends = await fetchTopicOffsets(admin, topic);
  const wrong = ends.filter(({ partition, high }) => BigInt(high) !== predicted[partition]);
  if (wrong.length > 0)
    throw new VerityError(
      'bench_load_offsets',
      `${topic} ends elsewhere than the loaded replies say: ${wrong
        .map((w) => `partition ${w.partition} at ${w.high}, expected ${predicted[w.partition]}`)
        .join('; ')}`,
    );
}
