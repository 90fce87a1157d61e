import type { Request, RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { sharedCounter } from '@verity/events';
import { InvalidOptionError } from '@verity/core';
import { HttpProblem, sendProblem } from '../problem';
import { ROLE_RANK, type Principal, type Role } from './principal';
import { redisTokenBuckets } from './redis-token-bucket';
import type { BucketRule, Take } from './token-bucket';

/**
 * Requests per window a credential may make, by its highest role: a storefront's backend reads
 * stock and prices for many shoppers with one key, an ERP connector writes in bursts, an admin
 * changes rules by hand.
 */
export const DEFAULT_ROLE_LIMITS: Readonly<Record<Role, number>> = { reader: 1000, writer: 500, admin: 100 };
/** Requests per window from one client address, whatever the credentials it uses (several services behind one NAT). */
export const DEFAULT_ADDRESS_LIMIT = 2000;

export interface RateLimitOptions {
  /** The shared store: every instance takes from the same buckets. */
  redis: Redis;
  /** Prefix of the Redis keys; tests use their own. Default `verity:rate-limit`. */
  keyPrefix?: string;
  /** Bucket capacity per credential, by its highest role: requests per window. Defaults: DEFAULT_ROLE_LIMITS. */
  perRole?: Partial<Record<Role, number>>;
  /** Bucket capacity per client address (`req.ip`: set express's `trust proxy` behind one). Default 2000. */
  perAddress?: number;
  /** Seconds in which an empty bucket fills again (continuously). Default 1. */
  windowS?: number;
  metrics: Registry;
}

/** Buckets this instance holds while Redis does not answer; the least recently used are forgotten. */
const MAX_LOCAL_BUCKETS = 50_000;

type Scope = 'credential' | 'address';
interface Outcome {
  scope: Scope;
  limit: number;
  take: Take;
}

/** The role whose limit applies: the highest the credential holds in any context; reader without grants. */
const roleOf = (p: Principal): Role =>
  p.grants.reduce<Role>((top, g) => (ROLE_RANK[g.role] > ROLE_RANK[top] ? g.role : top), 'reader');

const positive = (option: string, value: number): number => {
  if (!Number.isInteger(value) || value < 1) throw new InvalidOptionError(option, 'a positive integer');
  return value;
};

/** Whole seconds, at least 1: what Retry-After and RateLimit-Reset carry. */
const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * Limits requests per credential (when `authenticate()` ran before) and per client address with
 * token buckets in Redis, so the limits hold across instances: each bucket holds the limit's
 * requests (a burst may spend them at once) and refills continuously, the limit per window. When
 * Redis does not answer (or is not connected), the same buckets are kept in this instance's
 * memory: a per-instance limit still applies. Every answer carries `RateLimit-Limit`,
 * `RateLimit-Remaining` and `RateLimit-Reset` (until the bucket is full) of the tightest limit;
 * a refused one is 429 problem+json with `Retry-After` (until the next token).
 *
 * Mount it before `authenticate()` as well as after: before, it limits the address of callers
 * whose credentials are refused (a flood of wrong secrets would otherwise cost a scrypt check
 * each, unlimited); after, it adds the credential's limit. Each limit counts once per request.
 */
export function rateLimit(options: RateLimitOptions): RequestHandler {
  const prefix = options.keyPrefix ?? 'verity:rate-limit';
  const windowS = positive('windowS', options.windowS ?? 1);
  const rule = (capacity: number): BucketRule => ({ capacity, windowMs: windowS * 1000 });
  const roleLimits = { ...DEFAULT_ROLE_LIMITS, ...options.perRole };
  const byRole = Object.fromEntries(
    (Object.keys(ROLE_RANK) as Role[]).map((role) => [role, rule(positive(`perRole.${role}`, roleLimits[role]))]),
  ) as Record<Role, BucketRule>;
  const byAddress = rule(positive('perAddress', options.perAddress ?? DEFAULT_ADDRESS_LIMIT));
  const takeToken = redisTokenBuckets(options.redis, MAX_LOCAL_BUCKETS);
  const limited = sharedCounter(options.metrics, {
    name: 'verity_rate_limited_total',
    help: 'Requests refused with 429, by the limit they exceeded',
    labelNames: ['scope'],
  });

  const take = async (scope: Scope, bucket: BucketRule, key: string): Promise<Outcome> => ({
    scope,
    limit: bucket.capacity,
    take: await takeToken(`${prefix}:${key}`, bucket),
  });

  // What each request has counted so far: the same middleware mounted twice counts each limit once.
  const counted = new WeakMap<Request, Outcome[]>();

  return async (req, res, next) => {
    const earlier = counted.get(req) ?? [];
    const checks: Promise<Outcome>[] = [];
    if (!earlier.some((o) => o.scope === 'address'))
      checks.push(take('address', byAddress, `address:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`));
    const p = req.principal;
    if (p && !earlier.some((o) => o.scope === 'credential')) {
      const role = roleOf(p);
      checks.push(take('credential', byRole[role], `credential:${role}:${p.kind}:${p.tenant}:${p.subject}`));
    }
    if (!checks.length) return next();
    let outcomes: Outcome[];
    try {
      outcomes = [...earlier, ...(await Promise.all(checks))];
    } catch (error) {
      return next(error);
    }
    counted.set(req, outcomes);
    const refused = outcomes.filter((o) => !o.take.allowed);
    // The binding limit: the refusal that lasts longest, else the one with the fewest requests left.
    const binding = refused.length
      ? refused.reduce((a, b) => (b.take.msUntilToken > a.take.msUntilToken ? b : a))
      : outcomes.reduce((a, b) => (b.take.remaining < a.take.remaining ? b : a));
    res.setHeader('RateLimit-Limit', String(binding.limit));
    res.setHeader('RateLimit-Remaining', String(binding.take.remaining));
    res.setHeader('RateLimit-Reset', String(seconds(binding.take.msUntilFull)));
    if (!refused.length) return next();
    for (const o of refused) limited.inc({ scope: o.scope });
    const retryS = seconds(binding.take.msUntilToken);
    res.setHeader('Retry-After', String(retryS));
    sendProblem(
      res,
      new HttpProblem(
        429,
        'rate_limited',
        'Too many requests',
        `the ${binding.scope} limit of ${binding.limit} requests per ${windowS} s is spent; retry in ${retryS} s`,
        { limit: binding.scope },
      ),
      req.originalUrl,
    );
  };
}
