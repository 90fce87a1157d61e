import { randomUUID } from 'node:crypto';
import { streamIdOf, type CommandEnvelope } from '@verity/core';
import type { Message } from 'kafkajs';

/** Tenant of every benchmark command: keys read `bench/SKU-…` on both sides. */
export const BENCH_TENANT = 'bench';
export const BENCH_COMMAND_TYPE = 'inventory.ReceiveStock';

const LOCATIONS = ['berlin', 'hamburg', 'munich', 'vienna'];

/** The n-th ReceiveStock payload: SKUs cycle over `skus`, so load spreads over that many streams. */
export function receiveStockPayload(seq: number, skus: number): { sku: string; location: string; quantity: number } {
  return { sku: `SKU-${seq % skus}`, location: LOCATIONS[seq % LOCATIONS.length] as string, quantity: 1 + (seq % 7) };
}

/** A command as the gateway hands it to the processor. */
export interface BenchCommand {
  /** `<context>.<Command>`. */
  type: string;
  tenant: string;
  /** The SKU: every inventory command's stream is `<tenant>/<sku>`. */
  payload: { sku: string } & Record<string, unknown>;
  /** Default: a new UUID, as the gateway makes one. */
  commandId?: string;
  /** When it was received. Default: now. */
  at?: Date;
  /** Default `anonymous`, as the gateway records a caller without X-Actor. */
  actor?: string;
}

/** The envelope the gateway writes for a command sent without optional headers. */
export function commandEnvelope(command: BenchCommand): CommandEnvelope {
  const { type, tenant, payload, commandId = randomUUID(), at = new Date(), actor = 'anonymous' } = command;
  const time = at.toISOString();
  return {
    commandId,
    type,
    streamId: streamIdOf(tenant, payload.sku),
    payload,
    metadata: {
      tenant,
      actor,
      correlationId: commandId,
      sourceSystem: 'api',
      sourceTimestamp: time,
      receivedAt: time,
    },
  };
}

/** A command as the gateway writes it to its commands topic: the envelope keyed by its stream id. */
export function commandMessage(envelope: CommandEnvelope): Message {
  return { key: envelope.streamId, value: JSON.stringify(envelope) };
}

/**
 * The n-th raw record: the envelope the gateway writes for the same command, keyed by its
 * stream id, so the limit is measured with records of the commands' size and spread.
 */
export function commandRecord(seq: number, skus: number): Message {
  return commandMessage(
    commandEnvelope({ type: BENCH_COMMAND_TYPE, tenant: BENCH_TENANT, payload: receiveStockPayload(seq, skus) }),
  );
}
