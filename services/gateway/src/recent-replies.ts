import { LRUCache } from 'lru-cache';
import { parseStreamId, type CommandReply } from '@verity/core';

export interface RecentRepliesOptions {
  /** The outcome window (`VERITY_OUTCOME_RETENTION_MS`): a reply is forgotten once this old. */
  retentionMs: number;
  /** Replies kept, the most recently read. Default 10,000 (a few MB). */
  max?: number;
  /** The cache's clock; tests bring their own. */
  perf?: { now(): number };
}

interface Waiter {
  tenant: string;
  settle(reply: CommandReply | undefined): void;
}

/** Whether a command's stream belongs to `tenant`: a tenant sees only its own commands. */
export const isTenantOf = (reply: CommandReply, tenant: string): boolean =>
  parseStreamId(reply.streamId)?.tenant === tenant;

/**
 * What a gateway holds of outcomes: the requests waiting for a reply, and a bounded LRU of the
 * replies read since it started, so a GET right after a 202, or a repeat of a command just
 * answered, costs no query. Its size depends on the traffic of the last moments, never on
 * history; older outcomes are the read model's.
 */
export class RecentReplies {
  private readonly waiting = new Map<string, Set<Waiter>>();
  private readonly replies: LRUCache<string, CommandReply>;

  constructor(private readonly options: RecentRepliesOptions) {
    this.replies = new LRUCache<string, CommandReply>({
      max: options.max ?? 10_000,
      ttl: options.retentionMs,
      ...(options.perf ? { perf: options.perf } : {}),
    });
  }

  /** A reply read from the replies topic, `ageMs` after it was written: handed to its waiters, then kept. */
  deliver(reply: CommandReply, ageMs: number): void {
    for (const waiter of [...(this.waiting.get(reply.commandId) ?? [])]) waiter.settle(reply);
    const ttl = this.options.retentionMs - Math.max(0, ageMs);
    if (ttl > 0) this.replies.set(reply.commandId, reply, { ttl });
  }

  /** A reply read within the window, of any tenant's command. */
  get(commandId: string): CommandReply | undefined {
    return this.replies.get(commandId);
  }

  /** Register before sending the command; resolves with its reply, or undefined after `timeoutMs`. */
  expect(commandId: string, tenant: string, timeoutMs: number): Promise<CommandReply | undefined> {
    return new Promise((resolve) => {
      const waiters = this.waiting.get(commandId) ?? new Set();
      this.waiting.set(commandId, waiters);
      const waiter: Waiter = {
        tenant,
        settle: (reply) => {
          clearTimeout(timer);
          waiters.delete(waiter);
          if (waiters.size === 0) this.waiting.delete(commandId);
          resolve(reply);
        },
      };
      const timer = setTimeout(() => waiter.settle(undefined), timeoutMs);
      waiters.add(waiter);
    });
  }

  /** Whether a request of `tenant` on this gateway still waits for the command's reply. */
  isPending(commandId: string, tenant: string): boolean {
    return [...(this.waiting.get(commandId) ?? [])].some((w) => w.tenant === tenant);
  }

  /** Replies held. */
  get size(): number {
    return this.replies.size;
  }
}
