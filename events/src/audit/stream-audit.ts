import type { AvroSerde } from '../avro-serde';
import { verifyChain, type ChainReport } from './chain-verification';
import { readStream, type ReadStreamOptions, type StreamEvent } from './stream-reader';

export interface StreamVerification {
  /** The events read, in log order, without decoded payloads. */
  events: StreamEvent[];
  report: ChainReport;
}

/** Reads a stream and checks its hash chain: the integrity half of the audit trail. */
export async function auditVerify(options: Omit<ReadStreamOptions, 'serde'>): Promise<StreamVerification> {
  const events = await readStream(options);
  return { events, report: verifyChain(events) };
}

/** One event of a stream's history: who, when, from where, why (correlation, causation) and what. */
export interface HistoryRow {
  version: number;
  offset: string;
  /** When Verity accepted the command. */
  time: string;
  type: string;
  /** Who sent the command: the credential's subject. */
  actor: string;
  /** The person the actor acted for (an act-as credential's `X-Actor`); absent when it acted for itself. */
  onBehalfOf?: string;
  sourceSystem: string;
  /** The source system's own time for the change. */
  sourceTimestamp: string;
  correlationId: string;
  causationId: string;
  payload: Record<string, unknown>;
  /** The hash chain: this event's hash and the previous event's ('' for version 1). */
  hash: string;
  prevHash: string;
}

/** A stream's full history, payloads decoded to the newest schema version, in log order. */
export async function auditHistory(options: ReadStreamOptions & { serde: AvroSerde }): Promise<HistoryRow[]> {
  const events = await readStream(options);
  return events.map(({ offset, metadata, payload }) => ({
    version: metadata.streamVersion,
    offset,
    time: metadata.time,
    type: metadata.type,
    actor: metadata.actor,
    ...(metadata.onBehalfOf === undefined ? {} : { onBehalfOf: metadata.onBehalfOf }),
    sourceSystem: metadata.sourceSystem,
    sourceTimestamp: metadata.sourceTimestamp,
    correlationId: metadata.correlationId,
    causationId: metadata.causationId,
    // readStream decodes every payload when it has a serde.
    payload: payload!,
    hash: metadata.hash,
    prevHash: metadata.prevHash,
  }));
}
