import type { CommandReply } from '@verity/core';
import { OutcomeLookup, type OutcomeStore } from './outcome-lookup';
import { RecentReplies } from './recent-replies';

const reply = (commandId: string, tenant: string, version = 1): CommandReply => ({
  status: 'accepted',
  commandId,
  fingerprint: `f-${commandId}`,
  streamId: `${tenant}/SKU-1`,
  version,
  events: [],
  consistencyToken: 'tok',
});

/** The read model as a map, recording what it was asked. */
function storeOf(replies: CommandReply[]): OutcomeStore & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async find(commandId, tenant) {
      asked.push(tenant === undefined ? commandId : `${commandId}@${tenant}`);
      const found = replies.find((r) => r.commandId === commandId);
      return found && (tenant === undefined || found.streamId.startsWith(`${tenant}/`)) ? found : undefined;
    },
  };
}

describe('the order outcomes are looked up in', () => {
  it('memory answers without asking the read model', async () => {
    const recent = new RecentReplies({ retentionMs: 60_000 });
    const store = storeOf([reply('c-1', 'acme', 9)]);
    recent.deliver(reply('c-1', 'acme'), 0);
    const lookup = new OutcomeLookup(recent, store);
    expect(await lookup.known('c-1')).toEqual(reply('c-1', 'acme'));
    expect(await lookup.status('c-1', 'acme')).toEqual({ kind: 'outcome', reply: reply('c-1', 'acme') });
    expect(store.asked).toEqual([]);
  });

  it('the read model answers what memory does not hold, scoped by tenant for a GET', async () => {
    const store = storeOf([reply('old-1', 'acme')]);
    const lookup = new OutcomeLookup(new RecentReplies({ retentionMs: 60_000 }), store);
    expect(await lookup.status('old-1', 'acme')).toEqual({ kind: 'outcome', reply: reply('old-1', 'acme') });
    expect(await lookup.status('old-1', 'globex')).toEqual({ kind: 'unknown' });
    // A repeated key is checked against any tenant's command: its fingerprint tells them apart.
    expect(await lookup.known('old-1')).toEqual(reply('old-1', 'acme'));
    expect(store.asked).toEqual(['old-1@acme', 'old-1@globex', 'old-1']);
  });

  it("another tenant's command in memory is not answered from memory", async () => {
    const recent = new RecentReplies({ retentionMs: 60_000 });
    recent.deliver(reply('c-2', 'acme'), 0);
    const lookup = new OutcomeLookup(recent, storeOf([reply('c-2', 'acme')]));
    expect(await lookup.status('c-2', 'globex')).toEqual({ kind: 'unknown' });
  });

  it('a command this gateway still waits for is pending after both, and unknown past them', async () => {
    jest.useFakeTimers();
    try {
      const recent = new RecentReplies({ retentionMs: 60_000 });
      const lookup = new OutcomeLookup(recent, storeOf([]));
      const waiting = recent.expect('c-3', 'acme', 1_000);
      expect(await lookup.status('c-3', 'acme')).toEqual({ kind: 'pending' });
      expect(await lookup.status('c-3', 'globex')).toEqual({ kind: 'unknown' });
      jest.advanceTimersByTime(1_000);
      await waiting;
      expect(await lookup.status('c-3', 'acme')).toEqual({ kind: 'unknown' });
    } finally {
      jest.useRealTimers();
    }
  });
});
