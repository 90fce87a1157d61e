import type { CommandReply } from '@verity/core';
import { isTenantOf, type RecentReplies } from './recent-replies';

/** Where outcomes no gateway holds in memory are kept: the command outcomes read model. */
export interface OutcomeStore {
  /** The outcome of a command within the window; of `tenant`'s streams only when given. */
  find(commandId: string, tenant?: string): Promise<CommandReply | undefined>;
}

export type CommandStatus = { kind: 'outcome'; reply: CommandReply } | { kind: 'pending' } | { kind: 'unknown' };

/** The order outcomes are looked up in: memory first, the read model only when memory has none. */
export class OutcomeLookup {
  constructor(
    private readonly recent: RecentReplies,
    private readonly store: OutcomeStore,
  ) {}

  /**
   * The outcome a repeated Idempotency-Key is answered with, whichever tenant sent it: the
   * fingerprint carries the stream, so another tenant's command under the same key is told
   * apart as a different command.
   */
  async known(commandId: string): Promise<CommandReply | undefined> {
    return this.recent.get(commandId) ?? (await this.store.find(commandId));
  }

  /** `GET /v1/commands/<id>` of `tenant`: another tenant's command is as unknown as one never sent. */
  async status(commandId: string, tenant: string): Promise<CommandStatus> {
    const held = this.recent.get(commandId);
    const reply = held && isTenantOf(held, tenant) ? held : await this.store.find(commandId, tenant);
    if (reply) return { kind: 'outcome', reply };
    return this.recent.isPending(commandId, tenant) ? { kind: 'pending' } : { kind: 'unknown' };
  }
}
