import type { CommandReply } from '@verity/core';
import { RecentReplies } from './recent-replies';

const reply = (commandId: string, tenant = 'acme'): CommandReply => ({
  status: 'accepted',
  commandId,
  fingerprint: `f-${commandId}`,
  streamId: `${tenant}/SKU-1`,
  version: 1,
  events: [],
  consistencyToken: 'tok',
});

describe('recent replies', () => {
  let now = 0;
  const perf = { now: () => now };
  beforeEach(() => {
    now = 1_000;
  });

  it('hands a reply to every request waiting for it, then keeps it', async () => {
    const recent = new RecentReplies({ retentionMs: 60_000, perf });
    const first = recent.expect('c-1', 'acme', 10_000);
    const second = recent.expect('c-1', 'acme', 10_000);
    expect(recent.isPending('c-1', 'acme')).toBe(true);
    recent.deliver(reply('c-1'), 0);
    await expect(first).resolves.toEqual(reply('c-1'));
    await expect(second).resolves.toEqual(reply('c-1'));
    expect(recent.isPending('c-1', 'acme')).toBe(false);
    expect(recent.get('c-1')).toEqual(reply('c-1'));
  });

  it('a wait runs out with undefined, and a command is pending only for the tenant that sent it', async () => {
    jest.useFakeTimers();
    try {
      const recent = new RecentReplies({ retentionMs: 60_000, perf });
      const waiting = recent.expect('c-2', 'acme', 500);
      expect(recent.isPending('c-2', 'acme')).toBe(true);
      expect(recent.isPending('c-2', 'globex')).toBe(false);
      jest.advanceTimersByTime(500);
      await expect(waiting).resolves.toBeUndefined();
      expect(recent.isPending('c-2', 'acme')).toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });

  it('holds at most `max` replies, the most recently read', () => {
    const recent = new RecentReplies({ retentionMs: 60_000, max: 3, perf });
    for (const id of ['a', 'b', 'c', 'd', 'e']) recent.deliver(reply(id), 0);
    expect(recent.size).toBe(3);
    expect(['a', 'b', 'c', 'd', 'e'].map((id) => recent.get(id)?.commandId)).toEqual([
      undefined,
      undefined,
      'c',
      'd',
      'e',
    ]);
  });

  it('forgets a reply once it is older than the window, counted from when it was written', async () => {
    // lru-cache reuses the time it read for a millisecond of real time.
    const advance = async (ms: number) => {
      now += ms;
      await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const recent = new RecentReplies({ retentionMs: 10_000, perf });
    recent.deliver(reply('fresh'), 0);
    recent.deliver(reply('aged'), 8_000);
    recent.deliver(reply('expired'), 10_000);
    expect(recent.get('expired')).toBeUndefined();
    await advance(2_500);
    expect(recent.get('aged')).toBeUndefined();
    expect(recent.get('fresh')).toEqual(reply('fresh'));
    await advance(8_000);
    expect(recent.get('fresh')).toBeUndefined();
  });
});
