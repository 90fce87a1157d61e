import { isDeepStrictEqual } from 'node:util';
import type { KafkaMessage } from 'kafkajs';
import { z } from 'zod';
import { parseStreamId, SOURCE_SYSTEMS, type CommandReply } from '@verity/core';

const replyFields = {
  commandId: z.string().min(1),
  fingerprint: z.string(),
  streamId: z.string(),
  version: z.number().int(),
};

/** A record of the replies topic, as the processor writes it (`CommandReply` as JSON). */
const commandReplySchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('accepted'),
    ...replyFields,
    events: z.array(z.object({ type: z.string(), topic: z.string(), partition: z.number().int(), offset: z.string() })),
    consistencyToken: z.string(),
  }),
  z.object({
    status: z.literal('rejected'),
    ...replyFields,
    code: z.string(),
    reason: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
    sourceSystem: z.enum(SOURCE_SYSTEMS).optional(),
  }),
]);

/** The reply a replies-topic value or an outcome row holds; undefined when it is not one. */
export function parseCommandReply(value: unknown): CommandReply | undefined {
  let json = value;
  if (Buffer.isBuffer(value) || typeof value === 'string') {
    try {
      json = JSON.parse(value.toString()) as unknown;
    } catch {
      return undefined;
    }
  }
  const parsed = commandReplySchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** One row of `command_outcomes`. */
export interface OutcomeRecord {
  commandId: string;
  tenant: string;
  streamId: string;
  reply: CommandReply;
  /** When the reply was written: the record's timestamp. */
  recordedAt: Date;
}

/** The outcome a replies-topic record carries; undefined for a record that is not a reply. */
export function outcomeRecordOf(message: Pick<KafkaMessage, 'value' | 'timestamp'>): OutcomeRecord | undefined {
  const reply = message.value ? parseCommandReply(message.value) : undefined;
  const stream = reply && parseStreamId(reply.streamId);
  if (!reply || !stream) return undefined;
  return {
    commandId: reply.commandId,
    tenant: stream.tenant,
    streamId: reply.streamId,
    reply,
    recordedAt: new Date(Number(message.timestamp)),
  };
}

/**
 * One record per command, as a batch's upsert needs. A repeat of a command is answered with its
 * original reply, written again later: the first keeps its time, so the window counts from the
 * decision. A different reply (a command decided anew) replaces it.
 */
export function latestOutcomes(records: readonly OutcomeRecord[]): OutcomeRecord[] {
  const byCommand = new Map<string, OutcomeRecord>();
  for (const record of records) {
    const held = byCommand.get(record.commandId);
    if (!held || !isDeepStrictEqual(held.reply, record.reply)) byCommand.set(record.commandId, record);
  }
  return [...byCommand.values()];
}
