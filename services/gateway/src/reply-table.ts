import { randomUUID } from 'node:crypto';
import { type CommandReply } from '@verity/core';
import { CompactedTable } from '@verity/events';
import type { Admin, Kafka } from 'kafkajs';

/**
 * Every command's outcome, by command id: the compacted replies topic read into memory from
 * the start. It answers repeated Idempotency-Keys and `GET /v1/commands/<id>`, and hands
 * each new reply to the requests waiting for it.
 */
export class ReplyTable {
  private readonly waiting = new Map<string, Set<(reply: CommandReply) => void>>();
  private readonly table: CompactedTable<CommandReply>;
  private ready = false;

  constructor(kafka: Kafka, admin: Admin, topic: string, groupPrefix: string) {
    this.table = new CompactedTable<CommandReply>({
      kafka,
      admin,
      topic,
      groupId: `${groupPrefix}.${randomUUID()}`,
      decode: (value) => JSON.parse(value.toString('utf8')) as CommandReply,
      onRecord: (commandId, reply) => {
        for (const deliver of [...(this.waiting.get(commandId) ?? [])]) deliver(reply);
      },
    });
  }

  /** Ready once every outcome written before the start has been read. */
  async start(): Promise<void> {
    await this.table.start();
    await this.table.catchUp();
    this.ready = true;
  }

  isReady(): boolean {
    return this.ready;
  }

  get(commandId: string): CommandReply | undefined {
    return this.table.get(commandId);
  }

  /** Register before sending the command; resolves with its reply, or undefined after `timeoutMs`. */
  expect(commandId: string, timeoutMs: number): Promise<CommandReply | undefined> {
    return new Promise((resolve) => {
      const waiters = this.waiting.get(commandId) ?? new Set();
      this.waiting.set(commandId, waiters);
      const settle = (reply: CommandReply | undefined): void => {
        clearTimeout(timer);
        waiters.delete(settle);
        if (waiters.size === 0) this.waiting.delete(commandId);
        resolve(reply);
      };
      const timer = setTimeout(() => settle(undefined), timeoutMs);
      waiters.add(settle);
    });
  }

  /** Commands this instance sent and is still waiting for. */
  isPending(commandId: string): boolean {
    return this.waiting.has(commandId);
  }

  async stop(): Promise<void> {
    this.ready = false;
    await this.table.stop();
  }
}
