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

/**
 * Waits, bounded, until the projection's checkpoints of the token's topic have passed every
 * offset in it. Checkpoints are no tenant's data, but they are read as every read is: as `tenant`.
 */
export async function waitForProjection(
  store: CheckpointStore,
  projection: string,
  token: ConsistencyToken,
  tenant: string,
): Promise<Freshness> {
  const deadline = Date.now() + store.consistencyTimeoutMs;
  const watch = store.checkpointWatch;
  for (;;) {
    const left = deadline - Date.now();
    const wakeUp = watch?.live()
      ? watch.next(projection, token.topic, token.offsets, Math.min(WATCHED_POLL_MS, left))
      : undefined;
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
    if (passed || Date.now() >= deadline) {
      wakeUp?.cancel();
      return passed ? 'fresh' : 'stale';
    }
    await (wakeUp?.woken ?? sleep(Math.min(POLL_MS, left)));
  }
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
): Promise<Freshness | undefined> {
  const token = consistencyTokenOf(req);
  if (!token) return undefined;
  const topics = typeof deps.eventsTopic === 'string' ? [deps.eventsTopic] : deps.eventsTopic;
  if (!topics.includes(token.topic))
    throw invalidToken(`token is for ${token.topic}; this resource is built from ${topics.join(', ')}`);
  const freshness = await waitForProjection(deps, projection, token, tenantOf(req));
  res.set('X-Consistency', freshness);
  return freshness;
}
