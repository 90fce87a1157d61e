import type { Request, Response } from 'express';
import type { Knex } from 'knex';
import { decodeConsistencyToken, readCheckpoints, sleep, InvalidConsistencyTokenError } from '@verity/events';
import { HttpProblem } from '@verity/service-kit';

export type Freshness = 'fresh' | 'stale';

/**
 * Read-your-writes across the async boundary: with `X-Consistency-Token` (from a command's
 * reply), wait, bounded, until the projection's checkpoint has passed every offset in it, and
 * say so in `X-Consistency`. Returns undefined when the request carries no token.
 */
export async function awaitConsistency(
  req: Request,
  res: Response,
  deps: { db: Knex; schema: string; eventsTopic: string | readonly string[]; consistencyTimeoutMs: number },
  projection: string,
): Promise<Freshness | undefined> {
  const topics = typeof deps.eventsTopic === 'string' ? [deps.eventsTopic] : deps.eventsTopic;
  const freshness = await waitForToken(req, { db: deps.db, schema: deps.schema, projection, topics, timeoutMs: deps.consistencyTimeoutMs });
  if (freshness) res.set('X-Consistency', freshness);
  return freshness;
}

async function waitForToken(
  req: Request,
  store: { db: Knex; schema: string; projection: string; topics: readonly string[]; timeoutMs: number },
): Promise<Freshness | undefined> {
  const raw = req.get('X-Consistency-Token');
  if (raw === undefined) return undefined;
  let token;
  try {
    token = decodeConsistencyToken(raw);
  } catch (error) {
    throw new HttpProblem(400, 'invalid_consistency_token', 'Invalid consistency token', (error as InvalidConsistencyTokenError).message);
  }
  if (!store.topics.includes(token.topic)) {
    throw new HttpProblem(400, 'invalid_consistency_token', 'Invalid consistency token', `token is for ${token.topic}; this resource is built from ${store.topics.join(', ')}`);
  }
  const deadline = Date.now() + store.timeoutMs;
  for (;;) {
    const checkpoints = await readCheckpoints(store.db, store.schema, store.projection, token.topic);
    const passed = Object.entries(token.offsets).every(([partition, offset]) => BigInt(checkpoints.get(Number(partition)) ?? '0') >= BigInt(offset));
    if (passed) return 'fresh';
    if (Date.now() >= deadline) return 'stale';
    await sleep(25);
  }
}
