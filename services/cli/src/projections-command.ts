import { Redis } from 'ioredis';
import knex, { type Knex } from 'knex';
import type { Admin } from 'kafkajs';
import { ALIAS_RESOLUTIONS_TOPIC_RETENTION_MS, contextTopics, readerRoleOf, type AnyProjection } from '@verity/events';
import { ALIAS_RESOLUTIONS } from '@verity/projection-alias-resolutions';
import { syncStatusProjection } from '@verity/projection-sync-status';
import { projections, projectorEnvSchema, type ProjectorEnv } from './services';
import { createPlatform, parseEnv } from '@verity/service-kit';
import {
  GenerationServingError,
  ReadModelNotRebuildableError,
  UnknownGenerationError,
  parseProjectionsArgs,
  type ProjectionsArgs,
} from './projections-args';
import { checkpointsOf, dropGeneration, listGenerations, type Generation } from './projection-generations';
import { holdRebuildLock, rebuildProjection, type RebuildDeps } from './projection-rebuild';
import { appliedOffsets, fetchPartitionEnds, totalOffsets } from './rebuild-lag';
import { textTable } from './text-table';

export { PROJECTIONS_USAGE } from './projections-args';

export interface ProjectionsIo {
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Stops a rebuild where it is (Ctrl-C); running it again resumes. */
  signal?: AbortSignal;
}

/**
 * Read models a new generation could not build whole. The sync status's tables also hold the
 * ingestors' dead letters, which another projector writes from other topics. The alias
 * resolutions' table is the audit's record past the topic's retention: the topic keeps a week
 * (slack for the projector to catch up), the table the audit's retention.
 */
const NOT_REBUILDABLE: Record<string, string> = {
  [syncStatusProjection.name]: 'its tables also hold the dead letters, projected from other topics',
  [ALIAS_RESOLUTIONS]: `its table keeps resolutions longer than their topic does (${ALIAS_RESOLUTIONS_TOPIC_RETENTION_MS / 86_400_000} days): a rebuild would lose the older ones`,
};

export const byName = (name: string): AnyProjection => projections.find((p) => p.name === name)!;

/** A generation as `projections list` shows it. */
export interface GenerationStatus extends Generation {
  /** Offsets applied, summed over the read model's partitions. */
  applied: string;
  /** Events between its checkpoints and the end of its topics. */
  lag: string;
}

async function statusOf(db: Knex, admin: Admin, env: ProjectorEnv): Promise<GenerationStatus[]> {
  const all = await listGenerations(db, env.VERITY_DB_SCHEMA);
  // A context nobody wrote to yet has no topic: no offsets to ask for (asking retries for seconds).
  const existing = new Set(await admin.listTopics());
  const out: GenerationStatus[] = [];
  for (const projection of projections) {
    const known = all.filter((g) => g.projection === projection.name);
    // A read model never rebuilt has one generation, serving from the read models' schema.
    const generations: Generation[] =
      known.length > 0
        ? known
        : [{ projection: projection.name, generation: 1, state: 'serving', schema: env.VERITY_DB_SCHEMA }];
    const topics = projection.contexts
      .map((context) => contextTopics(context, env.VERITY_TOPIC_PREFIX).events)
      .filter((topic) => existing.has(topic));
    const ends = await fetchPartitionEnds(admin, topics);
    const end = totalOffsets(ends);
    for (const generation of generations) {
      const applied = appliedOffsets(await checkpointsOf(db, generation.schema, projection.name), ends);
      out.push({ ...generation, applied: applied.toString(), lag: (end - applied).toString() });
    }
  }
  return out;
}

/** Runs `verity projections ...`; the exit code. */
export async function runProjections(args: readonly string[], io: ProjectionsIo): Promise<number> {
  const parsed: ProjectionsArgs = parseProjectionsArgs(args, [...projections.map((p) => p.name), ALIAS_RESOLUTIONS]);
  const env = parseEnv(projectorEnvSchema, io.env);
  const { deps, close } = await openRebuildDeps(env);
  const { db, admin, redis } = deps;
  try {
    switch (parsed.action) {
      case 'list': {
        const status = await statusOf(db, admin, env);
        if (parsed.json) io.stdout.write(`${JSON.stringify(status)}\n`);
        else
          io.stdout.write(
            `${textTable(
              ['READ MODEL', 'GENERATION', 'STATE', 'SCHEMA', 'APPLIED', 'LAG'],
              status.map((s) => [s.projection, String(s.generation), s.state, s.schema, s.applied, s.lag]),
            )}\n`,
          );
        return 0;
      }
      case 'drop': {
        const generation = (await listGenerations(db, env.VERITY_DB_SCHEMA, parsed.readModel)).find(
          (g) => g.generation === parsed.generation,
        );
        if (!generation) {
          // Never rebuilt: its only generation is 1, and it serves.
          if (parsed.generation === 1) throw new GenerationServingError(parsed.readModel, 1);
          throw new UnknownGenerationError(parsed.readModel, parsed.generation);
        }
        if (generation.state === 'serving') throw new GenerationServingError(parsed.readModel, parsed.generation);
        // A generation being built is dropped only when no rebuild runs it.
        const release = await holdRebuildLock(env.VERITY_DATABASE_URL, env.VERITY_DB_SCHEMA, parsed.readModel);
        try {
          await dropGeneration(db, env.VERITY_DB_SCHEMA, generation);
        } finally {
          await release();
        }
        io.stdout.write(`${parsed.readModel} generation ${parsed.generation} dropped (${generation.schema})\n`);
        return 0;
      }
      case 'rebuild': {
        const reason = NOT_REBUILDABLE[parsed.readModel];
        if (reason !== undefined) throw new ReadModelNotRebuildableError(parsed.readModel, reason);
        await redis.connect().catch(() => undefined);
        const outcome = await rebuildProjection(deps, byName(parsed.readModel), {
          maxLag: parsed.maxLag,
          dropPrevious: parsed.dropPrevious,
          progress: (line) => io.stderr.write(`${line}\n`),
          ...(io.signal ? { signal: io.signal } : {}),
        });
        if (outcome.kind === 'interrupted') return 130;
        const perS = outcome.buildSeconds > 0 ? Number(outcome.built) / outcome.buildSeconds : 0;
        io.stdout.write(
          `${parsed.readModel}: generation ${outcome.generation} serves; built ${outcome.built} events in ${outcome.buildSeconds.toFixed(1)} s (${Math.round(perS)} events/s)\n`,
        );
        return 0;
      }
    }
  } finally {
    await close();
  }
}

/** The clients a rebuild works with, connected (Redis lazily: down, the cache is not forgotten but expires). */
export async function openRebuildDeps(env: ProjectorEnv): Promise<{ deps: RebuildDeps; close: () => Promise<void> }> {
  const platform = createPlatform('projections', env);
  const db = knex({ client: 'pg', connection: env.VERITY_DATABASE_URL, pool: { min: 0, max: 8 } });
  const admin = platform.kafka.admin();
  const redis = new Redis(env.VERITY_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  await admin.connect();
  return {
    deps: {
      platform,
      admin,
      db,
      databaseUrl: env.VERITY_DATABASE_URL,
      redis,
      schema: env.VERITY_DB_SCHEMA,
      topicPrefix: env.VERITY_TOPIC_PREFIX,
      reader: readerRoleOf(env.VERITY_QUERY_DATABASE_URL),
      partitions: env.VERITY_PARTITIONS,
    },
    close: async () => {
      await admin.disconnect();
      redis.disconnect();
      await db.destroy();
    },
  };
}
