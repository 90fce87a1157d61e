import type { Request, Response } from 'express';
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
/** One limit's answer to a request. */
export interface LimitOutcome {
  scope: Scope;
  limit: number;
  take: Take;
}

/** The limits of `rateLimits()`: taken by the guard around the credential check (guard.ts). */
export interface RateLimits {
  /** A token of the client address's bucket. */
  address(req: Request): Promise<LimitOutcome>;
  /** A token of the credential's bucket, by its highest role. */
  credential(principal: Principal): Promise<LimitOutcome>;
  /**
   * Sets `RateLimit-*` of the binding outcome; when one refused, answers 429 problem+json with
   * `Retry-After` and returns false.
   */
  admit(req: Request, res: Response, outcomes: readonly LimitOutcome[]): boolean;
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
 * Limits requests per credential and per client address with token buckets in Redis, so the
 * limits hold across instances: each bucket holds the limit's requests (a burst may spend them at
 * once) and refills continuously, the limit per window. When Redis does not answer (or is not
 * connected), the same buckets are kept in this instance's memory: a per-instance limit still
 * applies. Every answer carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`
 * (until the bucket is full) of the tightest limit; a refused one is 429 problem+json with
 * `Retry-After` (until the next token).
 */
export function rateLimits(options: RateLimitOptions): RateLimits {
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

  const take = async (scope: Scope, bucket: BucketRule, key: string): Promise<LimitOutcome> => ({
    scope,
    limit: bucket.capacity,
    take: await takeToken(`${prefix}:${key}`, bucket),
  });

  return {
    address: (req) => take('address', byAddress, `address:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`),
    credential: (p) => {
      const role = roleOf(p);
      return take('credential', byRole[role], `credential:${role}:${p.kind}:${p.tenant}:${p.subject}`);
    },
    admit(req, res, outcomes) {
      let binding = outcomes[0]!;
      let refused = false;
      // The binding limit: the refusal that lasts longest, else the one with the fewest requests left.
      for (const o of outcomes) {
        if (!o.take.allowed) {
          limited.inc({ scope: o.scope });
          if (!refused || o.take.msUntilToken > binding.take.msUntilToken) binding = o;
          refused = true;
        } else if (!refused && o.take.remaining < binding.take.remaining) binding = o;
      }
      res.setHeader('RateLimit-Limit', String(binding.limit));
      res.setHeader('RateLimit-Remaining', String(binding.take.remaining));
      res.setHeader('RateLimit-Reset', String(seconds(binding.take.msUntilFull)));
      if (!refused) return true;
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
      return false;
    },
  };
}
