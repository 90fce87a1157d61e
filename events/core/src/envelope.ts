import { createHash } from 'node:crypto';
import { z } from 'zod';
import { compareCodeUnits } from './code-unit-order';

/** Systems a change can come from; `api` is the command API itself. */
export const SOURCE_SYSTEMS = ['api', 'netsuite', 'shopify', 'sap-b1', 'dynamics-365', 'erp-db'] as const;
export type SourceSystem = (typeof SOURCE_SYSTEMS)[number];

export const tenantIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'tenant id: lowercase letters, digits and dashes, at most 63 characters');

export const commandMetadataSchema = z.object({
  tenant: tenantIdSchema,
  /** Who sent it: the credential's subject (JWT `sub`, or the API key id). */
  actor: z.string().min(1),
  /** The person the actor acted for (`X-Actor` of a credential holding `act-as`), recorded beside it. */
  onBehalfOf: z.string().min(1).max(200).optional(),
  /** The credential holds admin for the command's context: rules such as alias ownership yield to it. */
  admin: z.boolean().optional(),
  correlationId: z.string().min(1),
  causationId: z.string().min(1).optional(),
  sourceSystem: z.enum(SOURCE_SYSTEMS),
  /** When the source says the change happened (ISO 8601). */
  sourceTimestamp: z.iso.datetime({ offset: true }),
  /** When Verity accepted the command for processing; the events' time. */
  receivedAt: z.iso.datetime({ offset: true }),
});
export type CommandMetadata = z.infer<typeof commandMetadataSchema>;

/** A command as it travels on `verity.<ctx>.commands` (JSON), keyed by stream id. */
export const commandEnvelopeSchema = z.object({
  commandId: z.string().min(1).max(200),
  type: z.string().regex(/^[a-z][a-z0-9-]*\.[A-Z][A-Za-z0-9]*$/),
  streamId: z.string().min(3),
  expectedVersion: z.number().int().nonnegative().optional(),
  payload: z.record(z.string(), z.unknown()),
  metadata: commandMetadataSchema,
});
export type CommandEnvelope = z.infer<typeof commandEnvelopeSchema>;

/** Stream ids are `<tenant>/<aggregate id>`: the tenant is part of every key. */
export const streamIdOf = (tenant: string, aggregateId: string): string => `${tenant}/${aggregateId}`;

/** The tenant and aggregate id of a stream id; undefined when either part is missing. */
export function parseStreamId(streamId: string): { tenant: string; aggregateId: string } | undefined {
  const slash = streamId.indexOf('/');
  if (slash < 1 || slash === streamId.length - 1) return undefined;
  return { tenant: streamId.slice(0, slash), aggregateId: streamId.slice(slash + 1) };
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => compareCodeUnits(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What makes two commands "the same request" for idempotency: type, stream, payload and
 * expected version. The same Idempotency-Key with another fingerprint is a client error.
 */
export function commandFingerprint(
  command: Pick<CommandEnvelope, 'type' | 'streamId' | 'payload' | 'expectedVersion'>,
): string {
  return createHash('sha256')
    .update(canonicalJson([command.type, command.streamId, command.payload, command.expectedVersion ?? null]))
    .digest('hex');
}

/** Where one appended event landed. */
export interface AppendedEvent {
  type: string;
  topic: string;
  partition: number;
  offset: string;
}

/** The outcome of a command, on `verity.command-replies` keyed by command id (JSON). */
export type CommandReply =
  | {
      status: 'accepted';
      commandId: string;
      fingerprint: string;
      streamId: string;
      version: number;
      events: AppendedEvent[];
      consistencyToken: string;
    }
  | {
      status: 'rejected';
      commandId: string;
      fingerprint: string;
      streamId: string;
      version: number;
      code: string;
      reason: string;
      details?: Record<string, unknown>;
      /** Where the refused change came from: the sync status counts rejections per source. */
      sourceSystem?: SourceSystem;
    };
