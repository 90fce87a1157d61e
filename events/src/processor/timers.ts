import { createHash } from 'node:crypto';
import { Partitioners, type Admin, type Kafka, type Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import { streamPartition } from '../audit/stream-partition';
import type { CompactedTable } from '../compacted-table';
import type { ContextDefinition } from '@verity/core';
import { parseStreamId, type CommandEnvelope, InvalidOptionError } from '@verity/core';
import type { Logger } from '../logger';
import { sharedCounter } from '../metrics';
import type { StreamSnapshot } from './stream-snapshot';

/** The actor of every command a timer sends, recorded on the events it leads to. */
export const TIMER_ACTOR = 'system:timer';

/** Longest interval setTimeout accepts. */
const MAX_INTERVAL_MS = 2_147_483_647;

/**
 * The id of the command a timer sends for a stream at a version. The same for every tick and
 * every instance, so a repeat (a second tick before the first is decided, a restart, a
 * partition that moved) is answered from the stream's remembered replies and appends nothing.
 */
export function timerCommandId(context: string, command: string, streamId: string, version: number): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([context, command, streamId, version]))
    .digest('hex')
    .slice(0, 40);
  return `timer:${context}.${command}:${digest}`;
}

/** A timer command sent and not yet seen decided. */
export interface SentTimer {
  streamId: string;
  version: number;
}

/** Whether a sent timer command is decided: its stream moved past the version it was sent at, or remembers its reply. */
export function isSettled(commandId: string, sent: SentTimer, snapshot: StreamSnapshot | undefined): boolean {
  return (
    snapshot !== undefined &&
    (snapshot.version !== sent.version || snapshot.recent.some((r) => r.commandId === commandId))
  );
}

export interface DueCheck {
  context: Pick<ContextDefinition, 'name' | 'timers'>;
  /** The time of the check, given to the decider as the command's time. */
  now: Date;
  /** Whether this instance owns the stream's partition; only the owner sends. */
  owns: (streamId: string) => boolean;
  /** Commands already sent and not yet decided. */
  inFlight: ReadonlyMap<string, SentTimer>;
}

/** The commands to send now: one per stream and timer that is due, owned, not in flight and not yet decided at this version. */
export function dueTimerCommands(snapshots: Iterable<StreamSnapshot>, check: DueCheck): CommandEnvelope[] {
  const { context, now, owns, inFlight } = check;
  const timers = context.timers ?? [];
  const due: CommandEnvelope[] = [];
  if (timers.length === 0) return due;
  for (const snapshot of snapshots) {
    const parsed = parseStreamId(snapshot.streamId);
    if (!parsed) continue;
    for (const timer of timers) {
      const dueAt = timer.dueAt(snapshot.state);
      if (dueAt === null || dueAt.getTime() > now.getTime() || !owns(snapshot.streamId)) continue;
      const commandId = timerCommandId(context.name, timer.command, snapshot.streamId, snapshot.version);
      // Decided at this version without moving the stream on (rejected, or nothing was due after all): once is enough.
      if (inFlight.has(commandId) || snapshot.recent.some((r) => r.commandId === commandId)) continue;
      const time = now.toISOString();
      due.push({
        commandId,
        type: `${context.name}.${timer.command}`,
        streamId: snapshot.streamId,
        payload: timer.payload(parsed.aggregateId, snapshot.state),
        metadata: {
          tenant: parsed.tenant,
          actor: TIMER_ACTOR,
          correlationId: commandId,
          sourceSystem: 'api',
          sourceTimestamp: time,
          receivedAt: time,
        },
      });
    }
  }
  return due;
}

export interface TimerSchedulerOptions {
  kafka: Kafka;
  admin: Admin;
  /** The processor's assignment: which streams this instance owns. */
  assignments: PartitionAssignments;
  context: ContextDefinition;
  commandsTopic: string;
  /** The processor's snapshots, every partition's. */
  table: CompactedTable<StreamSnapshot>;
  logger: Logger;
  metrics: Registry;
  /** How often the streams are checked, in ms. */
  intervalMs: number;
  /** The time of a check. Default: the wall clock. */
  now?: () => Date;
}

/** The partitions of the commands topic an instance owns, told after every rebalance. */
export interface PartitionAssignments {
  /** Calls `listener` with the owned partitions after each rebalance (none while revoked); returns its removal. */
  subscribe(listener: (partitions: readonly number[]) => void): () => void;
}

export interface TimerScheduler {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Sends the commands of due timers (see `TimerDefinition`) for the streams of the partitions
 * this instance owns, through the commands topic keyed by stream id: they take the partition's
 * normal path (decide, one transaction) and the time of the check is their time.
 */
export function createTimerScheduler(options: TimerSchedulerOptions): TimerScheduler {
  const { kafka, admin, assignments, context, commandsTopic, table, metrics, intervalMs } = options;
  if (!Number.isInteger(intervalMs) || intervalMs < 1 || intervalMs > MAX_INTERVAL_MS) {
    throw new InvalidOptionError('timerIntervalMs', `an integer from 1 to ${MAX_INTERVAL_MS}, got ${intervalMs}`);
  }
  const unknown = (context.timers ?? []).filter((t) => !Object.hasOwn(context.commands, t.command));
  if (unknown.length > 0)
    throw new InvalidOptionError(
      'context',
      `timers of ${context.name} send commands it does not have: ${unknown.map((t) => t.command).join(', ')}`,
    );
  if (!context.timers?.length) return { start: async () => undefined, stop: async () => undefined };
  const clock = options.now ?? (() => new Date());
  const log = options.logger.child({ component: 'timers' });
  const sent = sharedCounter(metrics, {
    name: 'verity_timer_commands_sent_total',
    help: 'Commands sent by timers of due streams',
    labelNames: ['context'],
  });
  sent.inc({ context: context.name }, 0);

  const inFlight = new Map<string, SentTimer>();
  let owned = new Set<number>();
  /** Grows with every assignment: a catch-up that started before the latest one does not count. */
  let generation = 0;
  /** Set once the table caught up with the partitions of the latest assignment; nothing is judged before. */
  let partitionCount: number | undefined;
  let producer: Producer | undefined;
  let timeout: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  let stopped = false;
  let unsubscribe: (() => void)[] = [];

  async function tick(send: Producer): Promise<void> {
    if (owned.size === 0) return;
    if (partitionCount === undefined) {
      const started = generation;
      // Read what the previous owner of these partitions committed before judging their streams.
      await table.catchUp([...owned]);
      const [metadata] = (await admin.fetchTopicMetadata({ topics: [commandsTopic] })).topics;
      if (started !== generation || !metadata) return;
      partitionCount = metadata.partitions.length;
    }
    const count = partitionCount;
    const mine = owned;
    for (const [commandId, entry] of inFlight)
      if (isSettled(commandId, entry, table.get(entry.streamId))) inFlight.delete(commandId);
    const due = dueTimerCommands(table.values(), {
      context,
      now: clock(),
      owns: (streamId) => mine.has(streamPartition(streamId, count)),
      inFlight,
    });
    if (due.length === 0) return;
    for (const envelope of due)
      inFlight.set(envelope.commandId, {
        streamId: envelope.streamId,
        version: table.get(envelope.streamId)?.version ?? 0,
      });
    try {
      await send.send({
        topic: commandsTopic,
        acks: -1,
        messages: due.map((e) => ({ key: e.streamId, value: JSON.stringify(e) })),
      });
    } catch (error) {
      for (const envelope of due) inFlight.delete(envelope.commandId);
      throw error;
    }
    sent.inc({ context: context.name }, due.length);
    log.debug({ commands: due.length }, 'timer commands sent');
  }

  function schedule(send: Producer): void {
    timeout = setTimeout(() => {
      ticking = tick(send)
        .catch((error: unknown) => log.warn({ err: error }, 'timer check failed; the next one retries'))
        .finally(() => {
          ticking = undefined;
          if (!stopped) schedule(send);
        });
    }, intervalMs);
  }

  return {
    /** Before the consumer runs, so the first assignment is seen. */
    async start() {
      unsubscribe = [
        assignments.subscribe((partitions) => {
          owned = new Set(partitions);
          generation += 1;
          partitionCount = undefined;
          inFlight.clear();
        }),
      ];
      // Partitioned by stream id like the gateway's commands, so a timer's command lands on its stream's partition.
      producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 5,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      stopped = false;
      schedule(producer);
    },
    async stop() {
      stopped = true;
      clearTimeout(timeout);
      await ticking;
      for (const remove of unsubscribe) remove();
      unsubscribe = [];
      await producer?.disconnect();
      producer = undefined;
    },
  };
}
