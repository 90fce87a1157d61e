import { toHeaders, VerityError } from '@verity/core';
import type { Logger } from '../logger';
import type { RdConsumer, RdKafka, RdProducer } from '../rdkafka';
import { snapshotRecord, type DueAt } from './stream-snapshot';
import type { CommandReply } from '@verity/core';
import type { RememberedCommand } from './stream-snapshot';
import { settleBatch, type DecidedBatch, type Decision, type SettledBatch, type SettledHistory } from './decide-batch';

export interface GroupCommitOptions {
  kafka: RdKafka;
  /** The consumer whose group metadata fences each transaction's offsets (KIP-447). */
  consumer: RdConsumer;
  /** Stable per instance, so a restarted instance aborts what its predecessor left open at once. */
  transactionalId: string;
  /** The context's events, state and dead-letter topics, and the replies topic. */
  topics: { events: string; state: string; deadLetters: string; replies: string };
  /** Where an aborted transaction is logged. */
  logger: Logger;
  /** The context's timers: each state record carries its due times (see `snapshotRecord`). */
  timers: readonly DueAt[];
}

/** Where a batch was consumed, and the offset of its last record. */
export interface ConsumedBatch {
  topic: string;
  partition: number;
  lastOffset: string;
}

export interface GroupCommit {
  /**
   * Writes a decided batch of one partition in the instance's next transaction, with the
   * batches of its other partitions that arrive meanwhile: the events first (the replies
   * carry their offsets), then the new snapshots, the replies and the dead letters, then the
   * consumed offsets. Resolves with the replies and snapshots committed. Any failure aborts
   * the whole transaction and rejects every batch in it: none of it is visible, and each is
   * consumed again.
   */
  commit(consumed: ConsumedBatch, decided: DecidedBatch): Promise<CommittedBatch>;
  /** Resolves once every batch handed over is committed or failed. */
  idle(): Promise<void>;
  /**
   * Connects the transactional producer if it is not: its InitProducerId makes the outcome
   * of this id's last transaction final (committed or aborted) before anything is read again.
   */
  fence(): Promise<void>;
  /** Forgets where the events partitions end: after a rebalance another instance may have written to them. */
  reset(): void;
  close(): Promise<void>;
}

/** A batch as committed: its replies and snapshots, and where its partition's state records end. */
export interface CommittedBatch extends SettledBatch {
  /** The state partition's offset after this transaction's snapshots of it (a local store's checkpoint). */
  stateEnd: bigint | undefined;
}

class MispredictedOffsetError extends Error {
  constructor(readonly partition: number) {
    super(`events partition ${partition}: the events did not land where the last commit said`);
  }
}

/**
 * How long a call of the transactional producer may take. When the broker goes away in the
 * middle of send_offsets_to_transaction, librdkafka may never answer it, nor anything after it
 * (librdkafka#5456; seen in the broker-restart test): the producer is then given up and a new
 * one with the same transactional id fences it. Each call left unanswered keeps a thread of
 * libuv's pool (see the services' UV_THREADPOOL_SIZE).
 */
const CALL_TIMEOUT_MS = 10_000;
/** Aborting and disconnecting a producer that stopped answering are given less: it is replaced anyway. */
const GIVE_UP_TIMEOUT_MS = 5_000;

function bounded<T>(what: string, call: Promise<T>, ms = CALL_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new VerityError('kafka_call_timeout', `${what}: no answer from librdkafka within ${ms} ms`, {
            retriable: true,
          }),
        ),
      ms,
    );
  });
  return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
}

interface PendingBatch {
  consumed: ConsumedBatch;
  decided: DecidedBatch;
  resolve(committed: CommittedBatch): void;
  reject(error: unknown): void;
}

/**
 * One transactional producer per instance and one transaction at a time: batches that come
 * in while a transaction commits wait and go together into the next one. At 32 commands in
 * flight over 12 partitions that turns a dozen small transactions into one, and a
 * transaction's cost (AddPartitions, TxnOffsetCommit, EndTxn and their markers) into a small
 * part of each command's.
 */
export function createGroupCommit(options: GroupCommitOptions): GroupCommit {
  const { kafka, consumer, transactionalId, topics, logger } = options;
  let producer: Promise<RdProducer> | undefined;
  let waiting: PendingBatch[] = [];
  let running: Promise<void> | undefined;

  function connected(): Promise<RdProducer> {
    producer ??= (async () => {
      const created = kafka.producer({
        kafkaJS: {
          transactionalId,
          idempotent: true,
          acks: -1,
          allowAutoTopicCreation: false,
          // A transaction left open by a crash blocks read_committed readers until it times out.
          transactionTimeout: 10_000,
        },
        // librdkafka waits 100 ms before it retries CONCURRENT_TRANSACTIONS, which the broker
        // answers while it still writes the previous commit's markers: back-to-back
        // transactions would idle most of the time.
        'retry.backoff.ms': 5,
        'retry.backoff.max.ms': 200,
        // Everything of a transaction goes out when it commits; waiting longer adds nothing.
        'linger.ms': 0,
      });
      try {
        await bounded('connect', created.connect());
      } catch (error) {
        producer = undefined;
        throw error;
      }
      return created;
    })();
    return producer;
  }

  async function discard(): Promise<void> {
    const current = producer;
    producer = undefined;
    const stale = await current?.catch(() => undefined);
    if (stale) await bounded('disconnect', stale.disconnect(), GIVE_UP_TIMEOUT_MS).catch(() => undefined);
  }

  /**
   * Where the next event of each events partition lands: the offset after the last committed
   * transaction's events and its commit marker. This instance is the partition's only writer,
   * so a transaction can send its replies (which carry their events' offsets) beside its events
   * instead of after them; the events' offsets are checked before the commit. Forgotten on
   * any abort and rebalance.
   */
  const nextEventOffsets = new Map<number, bigint>();

  function eventMessages(batches: PendingBatch[]) {
    return batches.flatMap(({ consumed, decided }) =>
      decided.events.map(({ metadata, value }) => ({
        key: metadata.subject,
        value,
        partition: consumed.partition,
        headers: toHeaders(metadata),
      })),
    );
  }

  /**
   * Replies of the decisions committed and each stream's remembered replies, while batches are
   * in flight: a later batch of a partition may be decided before an earlier one commits, and
   * repeats a command of it, or needs its replies to remember. Emptied whenever nothing is in
   * flight.
   */
  const settledReplies = new Map<Decision, CommandReply>();
  const latestRecent = new Map<string, RememberedCommand[]>();

  /**
   * Settles the batches in order, each on what the ones before it left: in this transaction
   * (kept apart until `remember`, so a transaction written again settles as the first time)
   * or in one committed before.
   */
  function settleAll(
    batches: PendingBatch[],
    firstOffsets: ReadonlyMap<number, bigint>,
  ): { settled: SettledBatch[]; remember(): void } {
    const next = new Map(firstOffsets);
    const replies = new Map<Decision, CommandReply>();
    const recent = new Map<string, RememberedCommand[]>();
    const history: SettledHistory = {
      replyOf: (decision) => replies.get(decision) ?? settledReplies.get(decision),
      recentOf: (streamId) => recent.get(streamId) ?? latestRecent.get(streamId),
    };
    const settled = batches.map(({ consumed, decided }) => {
      const firstOffset = next.get(consumed.partition) ?? 0n;
      next.set(consumed.partition, firstOffset + BigInt(decided.events.length));
      const batch = settleBatch(decided, { topic: topics.events, partition: consumed.partition, firstOffset }, history);
      decided.commands.forEach((o, i) => o.kind === 'decided' && replies.set(o, batch.replies[i]!));
      for (const snapshot of batch.snapshots) recent.set(snapshot.streamId, snapshot.recent);
      return batch;
    });
    return {
      settled,
      remember() {
        for (const [decision, reply] of replies) settledReplies.set(decision, reply);
        for (const [streamId, replied] of recent) latestRecent.set(streamId, replied);
      },
    };
  }

  function stateRecords(batches: PendingBatch[], settled: SettledBatch[]) {
    return {
      topic: topics.state,
      messages: batches.flatMap(({ consumed }, i) =>
        settled[i]!.snapshots.map((s) => snapshotRecord(s, consumed.partition, options.timers)),
      ),
    };
  }

  /** The replies and dead letters of the batches (the snapshots go apart: their offsets are kept). */
  function besideEvents(batches: PendingBatch[], settled: SettledBatch[]) {
    return [
      {
        topic: topics.replies,
        messages: settled.flatMap((s) =>
          s.replies.map((reply) => ({ key: reply.commandId, value: JSON.stringify(reply) })),
        ),
      },
      {
        topic: topics.deadLetters,
        messages: batches.flatMap(({ decided }) => decided.deadLetters.map((d) => d.message)),
      },
    ].filter((t) => t.messages.length > 0);
  }

  function consumedOffsets(batches: PendingBatch[]) {
    const offsets = new Map<string, { partition: number; offset: string }[]>();
    for (const { consumed } of batches) {
      const ofTopic = offsets.get(consumed.topic) ?? [];
      ofTopic.push({ partition: consumed.partition, offset: (BigInt(consumed.lastOffset) + 1n).toString() });
      offsets.set(consumed.topic, ofTopic);
    }
    return [...offsets].map(([topic, partitions]) => ({ topic, partitions }));
  }

  /** The first offset of each partition's records in one send, from its delivery reports. */
  function firstOffsetsOf(appended: { partition: number; baseOffset?: string }[]): Map<number, bigint> {
    return new Map(appended.map((a) => [a.partition, BigInt(a.baseOffset ?? '-1')]));
  }

  /** Where each state partition's records of one send end. */
  async function sendState(
    transaction: RdProducer,
    state: ReturnType<typeof stateRecords>,
  ): Promise<Map<number, bigint>> {
    if (state.messages.length === 0) return new Map();
    const first = firstOffsetsOf(await transaction.send(state));
    const counts = new Map<number, number>();
    for (const m of state.messages) counts.set(m.partition, (counts.get(m.partition) ?? 0) + 1);
    return new Map([...first].map(([p, offset]) => [p, offset + BigInt(counts.get(p) ?? 0)]));
  }

  async function write(batches: PendingBatch[]): Promise<CommittedBatch[]> {
    const send = await connected();
    const events = eventMessages(batches);
    const partitions = [...new Set(events.map((e) => e.partition))];
    const predicted = partitions.every((p) => nextEventOffsets.has(p)) ? new Map(nextEventOffsets) : undefined;
    const transaction = await bounded('begin transaction', send.transaction());
    try {
      let settlement: ReturnType<typeof settleAll>;
      let firstOffsets: Map<number, bigint>;
      let stateEnds: Map<number, bigint>;
      if (predicted) {
        settlement = settleAll(batches, predicted);
        const [appended, ends] = await bounded(
          'send',
          Promise.all([
            events.length > 0 ? transaction.send({ topic: topics.events, messages: events }) : [],
            sendState(transaction, stateRecords(batches, settlement.settled)),
            ...besideEvents(batches, settlement.settled).map((t) => transaction.send(t)),
            transaction.sendOffsets({ consumer, topics: consumedOffsets(batches) }),
          ]),
        );
        firstOffsets = firstOffsetsOf(appended);
        stateEnds = ends;
        const wrong = partitions.find((p) => firstOffsets.get(p) !== predicted.get(p));
        if (wrong !== undefined) throw new MispredictedOffsetError(wrong);
      } else {
        firstOffsets =
          events.length > 0
            ? firstOffsetsOf(await bounded('send', transaction.send({ topic: topics.events, messages: events })))
            : new Map<number, bigint>();
        settlement = settleAll(batches, firstOffsets);
        [stateEnds] = await bounded(
          'send',
          Promise.all([
            sendState(transaction, stateRecords(batches, settlement.settled)),
            ...besideEvents(batches, settlement.settled).map((t) => transaction.send(t)),
            transaction.sendOffsets({ consumer, topics: consumedOffsets(batches) }),
          ]),
        );
      }
      await bounded('commit', transaction.commit());
      settlement.remember();
      const counts = new Map<number, number>();
      for (const e of events) counts.set(e.partition, (counts.get(e.partition) ?? 0) + 1);
      // The commit marker takes the offset after a partition's last event.
      for (const [p, count] of counts) nextEventOffsets.set(p, firstOffsets.get(p)! + BigInt(count) + 1n);
      return settlement.settled.map((s, i) => ({ ...s, stateEnd: stateEnds.get(batches[i]!.consumed.partition) }));
    } catch (error) {
      nextEventOffsets.clear();
      await bounded('abort', transaction.abort(), GIVE_UP_TIMEOUT_MS).catch(() => undefined);
      // A wrong guess is redone at once the slow way; nothing of it became visible.
      if (error instanceof MispredictedOffsetError) {
        logger.warn({ partition: error.partition }, 'events landed elsewhere than expected; writing again');
        return write(batches);
      }
      logger.error(
        { err: error, partitions: batches.map((b) => b.consumed.partition) },
        'transaction aborted; its batches will be redone',
      );
      // A producer whose transaction failed may carry stale state (Jepsen 2024), or be fenced: start afresh.
      await discard();
      throw error;
    }
  }

  async function drain(): Promise<void> {
    while (waiting.length > 0) {
      const batches = waiting;
      waiting = [];
      try {
        const settled = await write(batches);
        batches.forEach((b, i) => b.resolve(settled[i]!));
      } catch (error) {
        // The batches waiting may have been decided on what the failed ones staged: redo them too.
        const failed = [...batches, ...waiting];
        waiting = [];
        for (const b of failed) b.reject(error);
      }
    }
    settledReplies.clear();
    latestRecent.clear();
    running = undefined;
  }

  return {
    commit(consumed, decided) {
      return new Promise<CommittedBatch>((resolve, reject) => {
        waiting.push({ consumed, decided, resolve, reject });
        running ??= drain();
      });
    },
    async idle() {
      while (running) await running;
    },
    async fence() {
      await connected();
    },
    reset() {
      nextEventOffsets.clear();
    },
    async close() {
      await running;
      await discard();
    },
  };
}
