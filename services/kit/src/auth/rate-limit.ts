import type { Request, RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { Counter, type Registry } from 'prom-client';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { InvalidOptionError } from '@verity/core';
import { HttpProblem, sendProblem } from '../problem';
import { ROLE_RANK, type Principal, type Role } from './principal';

/**
 * Requests per window a credential may make, by its highest role: a storefront's backend reads
 * stock and prices for many shoppers with one key, an ERP connector writes in bursts, an admin
 * changes rules by hand.
 */
export const DEFAULT_ROLE_LIMITS: Readonly<Record<Role, number>> = { reader: 1000, writer: 500, admin: 100 };
/** Requests per window from one client address, whatever the credentials it uses (several services behind one NAT). */
export const DEFAULT_ADDRESS_LIMIT = 2000;

export interface RateLimitOptions {
  /** The shared store: every instance counts against the same limits. */
  redis: Redis;
  /** Prefix of the Redis keys; tests use their own. Default `verity:rate-limit`. */
  keyPrefix?: string;
  /** Requests per window per credential, by its highest role. Defaults: DEFAULT_ROLE_LIMITS. */
  perRole?: Partial<Record<Role, number>>;
  /** Requests per window per client address (`req.ip`: set express's `trust proxy` behind one). Default 2000. */
  perAddress?: number;
  /** The window, in seconds. Default 1. */
  windowS?: number;
  metrics: Registry;
}

type Scope = 'credential' | 'address';
interface Outcome {
  scope: Scope;
  limit: number;
  result: RateLimiterRes;
  allowed: boolean;
}

/** The role whose limit applies: the highest the credential holds in any context; reader without grants. */
const roleOf = (p: Principal): Role =>
  p.grants.reduce<Role>((top, g) => (ROLE_RANK[g.role] > ROLE_RANK[top] ? g.role : top), 'reader');

const positive = (option: string, value: number): number => {
  if (!Number.isInteger(value) || value < 1) throw new InvalidOptionError(option, 'a positive integer');
  return value;
};

/**
 * Limits requests per credential (when `authenticate()` ran before) and per client address, in
 * Redis so the limits hold across instances. When Redis does not answer (or is not connected),
 * each limiter falls back to its in-memory insurance limiter: a per-instance limit still applies.
 * Every answer carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` of the
 * tightest limit; a refused one is 429 problem+json with `Retry-After`.
 *
 * Mount it before `authenticate()` as well as after: before, it limits the address of callers
 * whose credentials are refused (a flood of wrong secrets would otherwise cost a scrypt check
 * each, unlimited); after, it adds the credential's limit. Each limit counts once per request.
 */
export function rateLimit(options: RateLimitOptions): RequestHandler {
  const prefix = options.keyPrefix ?? 'verity:rate-limit';
  const duration = positive('windowS', options.windowS ?? 1);
  const limiter = (name: string, points: number) =>
    new RateLimiterRedis({
      storeClient: options.redis,
      keyPrefix: `${prefix}:${name}`,
      points,
      duration,
      // Without it, ioredis queues commands while disconnected and requests wait for Redis.
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${prefix}:${name}`, points, duration }),
    });
  const roleLimits = { ...DEFAULT_ROLE_LIMITS, ...options.perRole };
  const byRole = Object.fromEntries(
    (Object.keys(ROLE_RANK) as Role[]).map((role) => {
      const points = positive(`perRole.${role}`, roleLimits[role]);
      return [role, { points, limiter: limiter(`credential:${role}`, points) }];
    }),
  ) as Record<Role, { points: number; limiter: RateLimiterRedis }>;
  const addressPoints = positive('perAddress', options.perAddress ?? DEFAULT_ADDRESS_LIMIT);
  const byAddress = limiter('address', addressPoints);
  const limited =
    (options.metrics.getSingleMetric('verity_rate_limited_total') as Counter<'scope'> | undefined) ??
    new Counter({
      name: 'verity_rate_limited_total',
      help: 'Requests refused with 429, by the limit they exceeded',
      labelNames: ['scope'],
      registers: [options.metrics],
    });

  const consume = (scope: Scope, limit: number, l: RateLimiterRedis, key: string): Promise<Outcome> =>
    l.consume(key).then(
      (result) => ({ scope, limit, result, allowed: true }),
      (rejection: unknown) => {
        // A RateLimiterRes is a refusal; anything else is a failure of the limiter itself.
        if (rejection instanceof RateLimiterRes) return { scope, limit, result: rejection, allowed: false };
        throw rejection;
      },
    );

  // What each request has counted so far: the same middleware mounted twice counts each limit once.
  const counted = new WeakMap<Request, Outcome[]>();

  return async (req, res, next) => {
    const earlier = counted.get(req) ?? [];
    const checks: Promise<Outcome>[] = [];
    if (!earlier.some((o) => o.scope === 'address'))
      checks.push(consume('address', addressPoints, byAddress, req.ip ?? req.socket.remoteAddress ?? 'unknown'));
    const p = req.principal;
    if (p && !earlier.some((o) => o.scope === 'credential')) {
      const { points, limiter: l } = byRole[roleOf(p)];
      checks.push(consume('credential', points, l, `${p.kind}:${p.tenant}:${p.subject}`));
    }
    if (!checks.length) return next();
    let outcomes: Outcome[];
    try {
      outcomes = [...earlier, ...(await Promise.all(checks))];
    } catch (error) {
      return next(error);
    }
    counted.set(req, outcomes);
    const refused = outcomes.filter((o) => !o.allowed);
    // The binding limit: the refusal that lasts longest, else the one with the fewest requests left.
    const binding = refused.length
      ? refused.reduce((a, b) => (b.result.msBeforeNext > a.result.msBeforeNext ? b : a))
      : outcomes.reduce((a, b) => (b.result.remainingPoints < a.result.remainingPoints ? b : a));
    const resetS = Math.max(1, Math.ceil(binding.result.msBeforeNext / 1000));
    res.setHeader('RateLimit-Limit', String(binding.limit));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, binding.result.remainingPoints)));
    res.setHeader('RateLimit-Reset', String(resetS));
    if (!refused.length) return next();
    for (const o of refused) limited.inc({ scope: o.scope });
    res.setHeader('Retry-After', String(resetS));
    sendProblem(
      res,
      new HttpProblem(
        429,
        'rate_limited',
        'Too many requests',
        `the ${binding.scope} limit of ${binding.limit} requests per ${duration} s is reached; retry in ${resetS} s`,
        { limit: binding.scope },
      ),
      req.originalUrl,
    );
  };
}
