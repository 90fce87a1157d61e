import { Client } from 'pg';
import type { Redis } from 'ioredis';
import type { Admin } from 'kafkajs';
import type { Knex } from 'knex';
import {
  contextTopics,
  createRebuildProjector,
  grantReader,
  sleep,
  type AnyProjection,
  type Logger,
  type Projector,
  type ReaderRole,
} from '@verity/events';
import type { Platform } from '@verity/service-kit';
import { forgetCachedValues } from './projection-cache-keys';
import {
  behind,
  buildingGeneration,
  checkpointsOf,
  dropGeneration,
  ensureGenerations,
  listGenerations,
  seedCheckpoints,
  switchGeneration,
  type Generation,
  type PartitionCheckpoint,
} from './projection-generations';
import { RebuildInProgressError } from './projections-args';
import { CommitWatch } from './rebuild-commit-watch';
import { appliedOffsets, fetchPartitionEnds, lagOf, partitionOfKey, totalOffsets } from './rebuild-lag';
import { progressLine } from './rebuild-progress';
import { openRebuildSessions } from './rebuild-sessions';

export interface RebuildDeps {
  platform: Pick<Platform, 'kafka' | 'serde' | 'logger'>;
  admin: Admin;
  /** As the read models' owner. */
  db: Knex;
  databaseUrl: string;
  redis: Redis;
  schema: string;
  topicPrefix: string;
  reader: ReaderRole;
  /** Partitions per events topic (VERITY_PARTITIONS): the sessions applying at once. */
  partitions: number;
}

export interface RebuildOptions {
  maxLag: number;
  dropPrevious: boolean;
  /** Progress lines (stderr). */
  progress: (line: string) => void;
  /** Stops the rebuild where it is; running it again resumes. */
  signal?: AbortSignal;
  /** Between progress lines. Default 2 s. */
  progressEveryMs?: number;
  /** Told the server process id of each PostgreSQL session that applies batches (the bench reads their CPU). */
  onSession?: (backendPid: number) => void;
}

export type RebuildOutcome =
  | {
      kind: 'switched';
      generation: number;
      retired: number;
      dropped: boolean;
      /** Offsets applied by this run until it caught up, and how long that took (the rebuild's rate). */
      built: bigint;
      buildSeconds: number;
      /**
       * The part of the build after the first applied events were seen, which leaves out the
       * start (migrations, the group's join, the first fetch): its rate is what a longer log
       * would change.
       */
      applying: { events: bigint; seconds: number };
    }
  | { kind: 'interrupted'; generation: number; done: bigint; total: bigint };

/** How long the building generation gets to reach the frozen serving one during a switch. */
const CATCH_UP_MS = 15_000;
/** A switch waits this long for a table lock (readers finishing) before it is given up and retried. */
const LOCK_TIMEOUT_MS = 5_000;
const SWITCH_ATTEMPTS = 5;
/** After a switch, a read that fetched the old generation just before it may still refill the cache: forgotten again after this. */
const REFILL_GRACE_MS = 1_000;

/**
 * A session lock per read model and schema, held for the whole rebuild on a connection of its
 * own: a second rebuild of the same read model is refused instead of racing the first.
 */
export async function holdRebuildLock(
  databaseUrl: string,
  schema: string,
  projection: string,
): Promise<() => Promise<void>> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const key = `verity.rebuild.${schema}.${projection}`;
  const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
    key,
  ]);
  if (!rows[0]?.locked) {
    await client.end();
    throw new RebuildInProgressError(projection);
  }
  return async () => {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
    await client.end();
  };
}

/**
 * Builds a new generation of `projection` from offset 0 in a schema of its own, with a consumer
 * group of its own, while the serving one goes on; resumes a generation left building. This
 * process runs the building projector itself: it is the one that must stop it inside the switch
 * transaction, it shows the progress, and the running services need neither a restart nor a
 * notice. Once the lag is under `maxLag`, switches (see `switchGeneration`), then forgets the
 * read model's cached values so nothing cached from the old generation is served.
 */
export async function rebuildProjection(
  deps: RebuildDeps,
  projection: AnyProjection,
  options: RebuildOptions,
): Promise<RebuildOutcome> {
  const { db, schema, admin } = deps;
  const log: Logger = deps.platform.logger.child({ component: 'projection-rebuild', projection: projection.name });
  const release = await holdRebuildLock(deps.databaseUrl, schema, projection.name);
  // One session per partition applied at once (a topic with more partitions queues for them).
  const sessions = openRebuildSessions(
    deps.databaseUrl,
    deps.partitions * projection.contexts.length,
    options.onSession,
  );
  try {
    await ensureGenerations(db, schema, projection.name);
    const building = await buildingGeneration(db, schema, projection.name);
    const topics = projection.contexts.map((c) => contextTopics(c, deps.topicPrefix).events);
    // Nothing applies to the building generation until its projector starts below, so its
    // checkpoints cannot pass these ends meanwhile.
    const ends = await fetchPartitionEnds(admin, topics);
    await seedCheckpoints(db, schema, projection.name, [...ends.keys()].map(partitionOfKey));
    const resumedAt = appliedOffsets(await checkpointsOf(db, building.schema, projection.name), ends);
    options.progress(
      resumedAt > 0n
        ? `${projection.name}: resuming generation ${building.generation} at ${resumedAt} events (${building.schema})`
        : `${projection.name}: building generation ${building.generation} from offset 0 (${building.schema})`,
    );
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;

    // The building generation writes its tables only: nothing to the cache, no change notice.
    let failure: Error | undefined;
    const commits = new CommitWatch(BigInt(options.maxLag));
    const startProjector = async (): Promise<Projector> => {
      failure = undefined;
      const projector = createRebuildProjector({
        kafka: deps.platform.kafka,
        serde: deps.platform.serde,
        projection,
        topics,
        groupId: `${deps.topicPrefix}.projection-rebuild.${projection.name}.g${building.generation}`,
        db: sessions,
        schema: building.schema,
        logger: deps.platform.logger,
        onFailure: (error) => (failure = error),
        onCommitted: (position) => commits.committedUpTo(position),
      });
      await projector.start();
      // After its migrations: the reader's grant reaches every new table, and moves with it on the switch.
      await grantReader(db, building.schema, deps.reader);
      return projector;
    };

    for (let attempt = 1; ; attempt += 1) {
      const projector = await startProjector();
      let stopped = false;
      const stop = async () => {
        if (stopped) return;
        stopped = true;
        await projector.stop();
      };
      try {
        const caughtUp = await followUntilCaughtUp(
          deps,
          projection.name,
          building,
          topics,
          options,
          commits,
          () => failure,
        );
        if (caughtUp.kind === 'interrupted') {
          await stop();
          options.progress(
            `${projection.name}: interrupted at ${caughtUp.done} of ${caughtUp.total} events; run the rebuild again to resume`,
          );
          return { kind: 'interrupted', generation: building.generation, done: caughtUp.done, total: caughtUp.total };
        }
        const buildSeconds = seconds();
        const built = caughtUp.done - resumedAt;
        const applying = {
          events: caughtUp.done - caughtUp.firstSeen.done,
          seconds: (Date.now() - caughtUp.firstSeen.at) / 1000,
        };
        const serving = servingOf(await listGenerations(db, schema, projection.name));
        options.progress(
          `${projection.name}: lag ${caughtUp.lag} ≤ ${options.maxLag}, switching to generation ${building.generation}`,
        );
        await switchGeneration(db, {
          schema,
          projection: projection.name,
          serving,
          building,
          lockTimeoutMs: LOCK_TIMEOUT_MS,
          catchUp: async (frozen) => {
            await reach(db, building, projection.name, frozen, () => failure);
            await stop();
          },
        });
        const forgotten = await forgetCachedValues(deps.redis, projection.name, deps.topicPrefix).catch(
          (error: Error) => {
            log.warn({ err: error }, 'could not forget the cached values; they expire by themselves');
            return 0;
          },
        );
        await sleep(REFILL_GRACE_MS);
        await forgetCachedValues(deps.redis, projection.name, deps.topicPrefix).catch(() => 0);
        options.progress(
          `${projection.name}: generation ${building.generation} serves (generation ${serving.generation} retired, ${forgotten} cached values forgotten)`,
        );
        if (options.dropPrevious) {
          await dropGeneration(db, schema, await generationOf(db, schema, serving));
          options.progress(`${projection.name}: generation ${serving.generation} dropped`);
        }
        return {
          kind: 'switched',
          generation: building.generation,
          retired: serving.generation,
          dropped: options.dropPrevious,
          built,
          buildSeconds,
          applying,
        };
      } catch (error) {
        await stop().catch(() => undefined);
        if (attempt >= SWITCH_ATTEMPTS) throw error;
        log.warn({ err: error, attempt }, 'switch given up; building on and trying again');
        options.progress(
          `${projection.name}: switch attempt ${attempt} given up (${(error as Error).message}); retrying`,
        );
      }
    }
  } finally {
    await sessions.destroy();
    await release();
  }
}

function servingOf(generations: readonly Generation[]): Generation {
  const serving = generations.find((g) => g.state === 'serving');
  if (!serving) throw new Error('no serving generation');
  return serving;
}

async function generationOf(db: Knex, schema: string, of: Generation): Promise<Generation> {
  const found = (await listGenerations(db, schema, of.projection)).find((g) => g.generation === of.generation);
  if (!found) throw new Error(`generation ${of.generation} is gone`);
  return found;
}

/** Polls the building generation's checkpoints until they reach `frozen`, bounded. */
async function reach(
  db: Knex,
  building: Generation,
  projection: string,
  frozen: readonly PartitionCheckpoint[],
  failure: () => Error | undefined,
): Promise<void> {
  const deadline = Date.now() + CATCH_UP_MS;
  for (;;) {
    const failed = failure();
    if (failed) throw failed;
    const short = behind(frozen, await checkpointsOf(db, building.schema, projection));
    if (short.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`generation ${building.generation} did not reach the serving one within ${CATCH_UP_MS} ms`);
    await sleep(20);
  }
}

/** Prints progress until the lag is at most `maxLag` or the signal stops it; throws the projector's failure. */
async function followUntilCaughtUp(
  deps: RebuildDeps,
  projection: string,
  building: Generation,
  topics: readonly string[],
  options: RebuildOptions,
  commits: CommitWatch,
  failure: () => Error | undefined,
): Promise<
  | { kind: 'caught-up'; lag: bigint; done: bigint; firstSeen: { at: number; done: bigint } }
  | { kind: 'interrupted'; done: bigint; total: bigint }
> {
  const every = options.progressEveryMs ?? 2000;
  let last = { at: Date.now(), done: -1n };
  let lastLine = 0;
  /** The first poll that saw events applied beyond where it began (Date.now, done). */
  let firstSeen: { at: number; done: bigint } | undefined;
  let began: bigint | undefined;
  for (;;) {
    const failed = failure();
    if (failed) throw failed;
    const ends = await fetchPartitionEnds(deps.admin, topics);
    const checkpoints = await checkpointsOf(deps.db, building.schema, projection);
    commits.seen(ends);
    for (const checkpoint of checkpoints) commits.committedUpTo(checkpoint);
    const done = appliedOffsets(checkpoints, ends);
    const end = totalOffsets(ends);
    if (options.signal?.aborted) return { kind: 'interrupted', done, total: end };
    const now = Date.now();
    began ??= done;
    if (!firstSeen && done > began) firstSeen = { at: now, done };
    if (last.done < 0n) last = { at: now, done };
    if (now - lastLine >= every) {
      const perS = now > last.at ? (Number(done - last.done) * 1000) / (now - last.at) : 0;
      options.progress(progressLine({ projection, generation: building.generation, done, total: end, perS }));
      last = { at: now, done };
      lastLine = now;
    }
    const lag = lagOf(checkpoints, ends);
    if (lag <= BigInt(options.maxLag))
      return { kind: 'caught-up', lag, done, firstSeen: firstSeen ?? { at: now, done } };
    await commits.wait(100);
  }
}
