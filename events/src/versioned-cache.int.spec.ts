import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { cacheIfNewer, readCached, uncacheAt } from './versioned-cache';

// The project's own Redis, as `verity infra up` starts it.
const redis = new Redis('redis://127.0.0.1:6380');
const prefix = `t${randomUUID().slice(0, 8)}`;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('versioned cache on the real Redis', () => {
  it('keeps the newest version whatever order the writers arrive in', async () => {
    const key = `${prefix}:a`;
    const value = (version: number, v: string): { version: number; v: string } => ({ version, v });
    expect(await cacheIfNewer(redis, key, value(2, 'two'))).toBe(true);
    expect(await cacheIfNewer(redis, key, value(1, 'one'))).toBe(false);
    expect(await cacheIfNewer(redis, key, value(2, 'two again'))).toBe(false);
    expect(await readCached(redis, key)).toEqual(value(2, 'two'));
    expect(await cacheIfNewer(redis, key, value(3, 'three'))).toBe(true);
    expect(await readCached(redis, key)).toEqual(value(3, 'three'));
    expect(await redis.pttl(key)).toBeGreaterThan(3_500_000);
  });

  it('a delete leaves a tombstone that refuses values it replaced, not newer ones', async () => {
    const key = `${prefix}:b`;
    await cacheIfNewer(redis, key, { version: 4 });
    await uncacheAt(redis, key, 5);
    expect(await readCached(redis, key)).toBeUndefined();
    expect(await cacheIfNewer(redis, key, { version: 4 })).toBe(false);
    expect(await cacheIfNewer(redis, key, { version: 5 })).toBe(false);
    expect(await cacheIfNewer(redis, key, { version: 6 })).toBe(true);
  });
});
