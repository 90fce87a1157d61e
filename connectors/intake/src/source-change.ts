import {
  VerityError,
  commandEnvelopeSchema,
  findCommand,
  streamIdOf,
  type CommandEnvelope,
  type ContextDefinition,
  type SourceSystem,
} from '@verity/core';

/**
 * One change a source system reports, already mapped to the Verity command that means it.
 * Every ingestor (CDC, webhooks, pollers, imports) hands its changes over in this shape, so
 * the same validation, idempotency and conflict detection apply to all of them.
 */
export interface SourceChange {
  /** `<context>.<Command>`, e.g. `inventory.AdjustStock`. */
  type: string;
  payload: Record<string, unknown>;
  tenant: string;
  /**
   * Derived from the change's position in the source (LSN and key, delivery id, row id), never
   * generated: a change delivered again becomes the same command, which the processor answers
   * from the stream and appends nothing for.
   */
  commandId: string;
  sourceSystem: SourceSystem;
  /** When the source says the change happened (ISO 8601): what conflict detection orders by. */
  sourceTimestamp: string;
  /** Who sent it: the ingestor's identity (`connector:<name>`), or the credential that delivered it. */
  actor: string;
  /** Ties the command to the source's own delivery or batch, for tracing; the command id otherwise. */
  correlationId?: string;
}

/** A change no command can be made of: the reason names the field, and the change goes to dead letters. */
export class UnmappableChangeError extends VerityError {
  constructor(
    message: string,
    readonly fields: { path: string; message: string }[] = [],
  ) {
    super('unmappable_change', message, { retriable: false, context: { fields } });
  }
}

/**
 * The command envelope of a change: its type must exist and its payload must pass the command's
 * own schema, else `UnmappableChangeError` naming every field refused. Pure, so an ingestor's
 * mapping tests run without a broker.
 */
export function commandOfChange(
  contexts: readonly ContextDefinition[],
  change: SourceChange,
  receivedAt: Date = new Date(),
): CommandEnvelope {
  const found = findCommand(contexts, change.type);
  if (!found) throw new UnmappableChangeError(`no command type ${change.type}`, [{ path: 'type', message: 'unknown' }]);
  const parsed = found.definition.schema.safeParse(change.payload);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'payload', message: i.message }));
    throw new UnmappableChangeError(
      `${change.type}: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`,
      fields,
    );
  }
  const payload = parsed.data;
  const envelope = {
    commandId: change.commandId,
    type: change.type,
    streamId: streamIdOf(change.tenant, found.definition.aggregateId(payload)),
    payload,
    metadata: {
      tenant: change.tenant,
      actor: change.actor,
      correlationId: change.correlationId ?? change.commandId,
      sourceSystem: change.sourceSystem,
      sourceTimestamp: change.sourceTimestamp,
      receivedAt: receivedAt.toISOString(),
    },
  };
  // The envelope's own rules (tenant id, timestamps, id length) hold for what an ingestor made.
  const checked = commandEnvelopeSchema.safeParse(envelope);
  if (!checked.success) {
    const fields = checked.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new UnmappableChangeError(fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields);
  }
  return checked.data;
}
