import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { batchedGet } from './batched-get';
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

describe('batched GET on the real Redis', () => {
  it('sends the reads of one turn as one MGET and answers each its own value', async () => {
    await redis.mset(`${prefix}:1`, 'one', `${prefix}:3`, 'three');
    const mget = jest.spyOn(redis, 'mget');
    const get = jest.spyOn(redis, 'get');
    const keys = [1, 2, 3, 1].map((n) => `${prefix}:${n}`);
    expect(await Promise.all(keys.map((key) => batchedGet(redis, key)))).toEqual(['one', null, 'three', 'one']);
    expect(mget).toHaveBeenCalledTimes(1);
    expect(mget).toHaveBeenCalledWith(keys);
    expect(get).not.toHaveBeenCalled();

    // A read alone is a GET; reads of a later turn go in a batch of their own.
    expect(await batchedGet(redis, `${prefix}:3`)).toBe('three');
    expect(get).toHaveBeenCalledTimes(1);
    expect(await Promise.all([batchedGet(redis, `${prefix}:1`), batchedGet(redis, `${prefix}:2`)])).toEqual([
      'one',
      null,
    ]);
    expect(mget).toHaveBeenCalledTimes(2);
    mget.mockRestore();
    get.mockRestore();
  });

  it('fails every read of a batch whose command fails, and keeps clients apart', async () => {
    // Never connected and no offline queue: its commands fail at once.
    const down = new Redis({ lazyConnect: true, enableOfflineQueue: false });
    const reads = [batchedGet(down, `${prefix}:1`), batchedGet(down, `${prefix}:2`), batchedGet(redis, `${prefix}:9`)];
    const settled = await Promise.allSettled(reads);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect(settled[2]).toEqual({ status: 'fulfilled', value: null });
    down.disconnect();
  });
});
