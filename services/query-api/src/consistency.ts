import type { Request, Response } from 'express';
import { decodeConsistencyToken, InvalidConsistencyTokenError, type ConsistencyToken } from '@verity/core';
import { readCheckpoints, sleep } from '@verity/events';
import { HttpProblem, tenantOf } from '@verity/service-kit';
import type { TenantDb } from './tenant-db';
import type { CheckpointWatch } from './checkpoint-watch';

export type Freshness = 'fresh' | 'stale';

/** Where checkpoints are read, and how long a wait may last. */
export interface CheckpointStore {
  db: TenantDb;
  schema: string;
  consistencyTimeoutMs: number;
  /** Wakes a wait when a checkpoint moves; without it, or while it is not live, a wait polls. */
  checkpointWatch?: CheckpointWatch;
}

/** How often a wait reads the checkpoints when no notice wakes it. */
const POLL_MS = 25;
/** With notices live, a read all the same this often: a lost notice costs this much, no more. */
const WATCHED_POLL_MS = 250;

const invalidToken = (detail: string): HttpProblem =>
  new HttpProblem(400, 'invalid_consistency_token', 'Invalid consistency token', detail);

/** The request's `X-Consistency-Token`, decoded; undefined when it carries none, a 400 `invalid_consistency_token` when malformed. */
export function consistencyTokenOf(req: Request): ConsistencyToken | undefined {
  const raw = req.get('X-Consistency-Token');
  if (raw === undefined) return undefined;
  try {
    return decodeConsistencyToken(raw);
  } catch (error) {
    throw invalidToken((error as InvalidConsistencyTokenError).message);
  }
}

/** How a wait ended, and whether the cache may serve the read that follows. */
export interface ProjectionWait {
  freshness: Freshness;
  /**
   * True when a checkpoint notice showed the token passed: the projector publishes it after its
   * cache update, so the cache holds the write. A checkpoint read from PostgreSQL may be ahead
   * of the cache (the commit comes first), so then the read skips the cache.
   */
  cacheCurrent: boolean;
}

/**
 * Waits, bounded, until the projection's checkpoints of the token's topic have passed every
 * offset in it. With checkpoint notices live it reads nothing while it waits: a notice that
 * covers the token ends the wait, and PostgreSQL is read only when no notice has named the
 * token's partitions yet, or after WATCHED_POLL_MS without one (a lost notice costs that). Under
 * load that is what keeps waits from queueing on the connection pool. Checkpoints are no
 * tenant's data, but they are read as every read is: as `tenant`.
 */
export async function waitForProjectionChecked(
  store: CheckpointStore,
  projection: string,
  token: ConsistencyToken,
  tenant: string,
): Promise<ProjectionWait> {
  const deadline = Date.now() + store.consistencyTimeoutMs;
  const watch = store.checkpointWatch;
  const partitions = Object.keys(token.offsets).map(Number);
  const noticed = (): boolean => watch?.live() === true && watch.covers(projection, token.topic, token.offsets);
  let readDatabase = !(watch?.live() && watch.knows(projection, token.topic, partitions));
  for (;;) {
    if (noticed()) return { freshness: 'fresh', cacheCurrent: true };
    const left = deadline - Date.now();
    const wakeUp = watch?.live()
      ? watch.next(projection, token.topic, token.offsets, Math.min(WATCHED_POLL_MS, left))
      : undefined;
    if (readDatabase) {
      let passed: boolean;
      try {
        const checkpoints = await store.db.read(tenant, (db) =>
          readCheckpoints(db, store.schema, projection, token.topic),
        );
        passed = Object.entries(token.offsets).every(
          ([partition, offset]) => BigInt(checkpoints.get(Number(partition)) ?? '0') >= BigInt(offset),
        );
      } catch (error) {
        wakeUp?.cancel();
        throw error;
      }
      if (passed) {
        wakeUp?.cancel();
        return { freshness: 'fresh', cacheCurrent: false };
      }
    }
    if (Date.now() >= deadline) {
      wakeUp?.cancel();
      return { freshness: 'stale', cacheCurrent: false };
    }
    await (wakeUp?.woken ?? sleep(Math.min(POLL_MS, left)));
    // Woken without a covering notice: by the timer, so PostgreSQL is asked.
    readDatabase = true;
  }
}

/** `waitForProjectionChecked`'s freshness alone, for reads that use no cache. */
export async function waitForProjection(
  store: CheckpointStore,
  projection: string,
  token: ConsistencyToken,
  tenant: string,
): Promise<Freshness> {
  return (await waitForProjectionChecked(store, projection, token, tenant)).freshness;
}

/**
 * Read-your-writes across the async boundary: with `X-Consistency-Token` (from a command's
 * reply), wait, bounded, until the projection's checkpoint has passed every offset in it, and
 * say so in `X-Consistency`. Returns undefined when the request carries no token.
 */
export async function awaitConsistency(
  req: Request,
  res: Response,
  deps: CheckpointStore & { eventsTopic: string | readonly string[] },
  projection: string,
): Promise<ProjectionWait | undefined> {
  const token = consistencyTokenOf(req);
  if (!token) return undefined;
  const topics = typeof deps.eventsTopic === 'string' ? [deps.eventsTopic] : deps.eventsTopic;
  if (!topics.includes(token.topic))
    throw invalidToken(`token is for ${token.topic}; this resource is built from ${topics.join(', ')}`);
  const wait = await waitForProjectionChecked(deps, projection, token, tenantOf(req));
  res.set('X-Consistency', wait.freshness);
  return wait;
}

/** Whether a read after `awaitConsistency` must skip the cache: after a wait not ended by a notice. */
export const skipsCache = (wait: ProjectionWait | undefined): boolean => wait !== undefined && !wait.cacheCurrent;
