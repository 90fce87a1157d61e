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

/**
 * The n-th raw record: the envelope the gateway writes for the same command, keyed by its
 * stream id, so the limit is measured with records of the commands' size and spread.
 */
export function commandRecord(seq: number, skus: number): Message {
  const payload = receiveStockPayload(seq, skus);
  const commandId = randomUUID();
  const now = new Date().toISOString();
  const envelope: CommandEnvelope = {
    commandId,
    type: BENCH_COMMAND_TYPE,
    streamId: streamIdOf(BENCH_TENANT, payload.sku),
    payload,
    metadata: {
      tenant: BENCH_TENANT,
      actor: 'anonymous',
      correlationId: commandId,
      sourceSystem: 'api',
      sourceTimestamp: now,
      receivedAt: now,
    },
  };
  return { key: envelope.streamId, value: JSON.stringify(envelope) };
}
