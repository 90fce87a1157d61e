import { createHash } from 'node:crypto';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { ContextDefinition } from '@verity/core';
import { parseStreamId, type CommandEnvelope, InvalidOptionError } from '@verity/core';
import type { Logger } from '../logger';
import { sharedCounter, sharedHistogram } from '../metrics';
import type { SnapshotStore } from './snapshot-store';
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
  /** Commands already sent and not yet decided. */
  inFlight: ReadonlyMap<string, SentTimer>;
}

/** The commands to send now: one per stream and timer that is due, not in flight and not yet decided at this version. */
export function dueTimerCommands(snapshots: Iterable<StreamSnapshot>, check: DueCheck): CommandEnvelope[] {
  const { context, now, inFlight } = check;
  const timers = context.timers ?? [];
  const due: CommandEnvelope[] = [];
  if (timers.length === 0) return due;
  for (const snapshot of snapshots) {
    const parsed = parseStreamId(snapshot.streamId);
    if (!parsed) continue;
    for (const timer of timers) {
      const dueAt = timer.dueAt(snapshot.state);
      if (dueAt === null || dueAt.getTime() > now.getTime()) continue;
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
  /** The processor's assignment: which partitions this instance owns. */
  assignments: PartitionAssignments;
  context: ContextDefinition;
  commandsTopic: string;
  /** The processor's local store: snapshots, and streams indexed by due time per partition. */
  store: Pick<SnapshotStore, 'due' | 'load' | 'forgetDue'>;
  /** Resolves once a partition's state is restored into the store. */
  restored: (partition: number) => Promise<void>;
  logger: Logger;
  metrics: Registry;
  /** How often the streams are checked, in ms. */
  intervalMs: number;
  /** The time of a check. Default: the wall clock. */
  now?: () => Date;
}

/** Due streams read per partition and check: the rest wait for the next check. */
const DUE_PER_CHECK = 1000;

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
  const { kafka, assignments, context, commandsTopic, store, restored, metrics, intervalMs } = options;
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
  const checkSeconds = sharedHistogram(metrics, {
    name: 'verity_timer_check_seconds',
    help: 'Time of one timer check of the owned partitions: reading what is due and sending its commands (waits for a restore left out)',
    labelNames: ['context'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });

  const timers = context.timers;
  const inFlight = new Map<string, SentTimer>();
  let owned: readonly number[] = [];
  /** Grows with every assignment: a check that started before the latest one stops. */
  let generation = 0;
  let producer: Producer | undefined;
  let timeout: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  let stopped = false;
  let unsubscribe: (() => void)[] = [];
  /** What the current check spent waiting for partitions to be restored: a restore's cost, not the check's. */
  let restoringNs = 0n;
  async function restoredTimed(partition: number): Promise<void> {
    const from = process.hrtime.bigint();
    try {
      await restored(partition);
    } finally {
      restoringNs += process.hrtime.bigint() - from;
    }
  }

  /**
   * Reads the streams due by now from the due-time index of each owned partition (a cost in
   * what is due, not in the streams held), drops entries their stream's state moved on from,
   * and sends a command per stream and timer still due.
   */
  async function tick(send: Producer): Promise<void> {
    const started = generation;
    const now = clock();
    for (const partition of owned) {
      await restoredTimed(partition);
      if (started !== generation) return;
      const entries = await store.due(partition, now, DUE_PER_CHECK);
      const inFlightStreams = [...inFlight.values()].map((e) => e.streamId);
      const snapshots = await store.load([...entries.map((e) => e.streamId), ...inFlightStreams]);
      for (const [commandId, entry] of inFlight)
        if (isSettled(commandId, entry, snapshots.get(entry.streamId))) inFlight.delete(commandId);
      const stale = entries.filter((e) => {
        const snapshot = snapshots.get(e.streamId);
        return snapshot === undefined || timers[e.timer]?.dueAt(snapshot.state)?.getTime() !== e.dueAt;
      });
      await store.forgetDue(stale);
      const dueStreams = new Set(entries.filter((e) => !stale.includes(e)).map((e) => e.streamId));
      const due = dueTimerCommands(
        [...dueStreams].map((id) => snapshots.get(id)!),
        { context, now, inFlight },
      );
      if (started !== generation || due.length === 0) continue;
      for (const envelope of due)
        inFlight.set(envelope.commandId, {
          streamId: envelope.streamId,
          version: snapshots.get(envelope.streamId)?.version ?? 0,
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
      log.debug({ partition, commands: due.length }, 'timer commands sent');
    }
  }

  function schedule(send: Producer): void {
    timeout = setTimeout(() => {
      const began = process.hrtime.bigint();
      restoringNs = 0n;
      ticking = tick(send)
        .catch((error: unknown) => log.warn({ err: error }, 'timer check failed; the next one retries'))
        .finally(() => {
          checkSeconds.observe({ context: context.name }, Number(process.hrtime.bigint() - began - restoringNs) / 1e9);
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
          owned = [...partitions];
          generation += 1;
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
