import { findCommand, type CommandEnvelope, type ContextDefinition, type SourceSystem } from '@verity/core';
import { UnmappableChangeError, commandOfChange } from '@verity/connector-intake';
import { fieldKindsOf, payloadOfCells, type FieldKind } from './cell-types';
import type { ImportFormat, ReadRow } from './read-rows';

/** What a file's rows become: one command type, for one tenant, sent by one actor. */
export interface ImportTarget {
  /** `<context>.<Command>`, e.g. `inventory.ReceiveStock`. */
  type: string;
  tenant: string;
  actor: string;
  sourceSystem: SourceSystem;
  /** The person the actor acts for (an `act-as` credential's `X-Actor`), as `POST /v1/commands` records it. */
  onBehalfOf?: string;
  /** The credential is admin where the commands act: rules such as alias ownership yield to it. */
  admin?: boolean;
  /** Names the file's rows in their command ids: `fileIdOf` its bytes. */
  fileId: string;
  format: ImportFormat;
}

/** The same bytes, the same id (16 hex digits of their SHA-256): a file imported again names the same commands. */
export const fileIdOf = (sha256Hex: string): string => sha256Hex.slice(0, 16);

/** A row's command id: its file and its number, so a row sent again is the same command. */
export const importCommandId = (fileId: string, row: number): string => `import:${fileId}:${row}`;

/** A problem with a row, as the report gives it: machine code, reason, and the fields refused if any. */
export interface RowProblem {
  code: string;
  reason: string;
  fields?: { path: string; message: string }[];
  details?: Record<string, unknown>;
}

/** A row with its command, or why it has none (never sent). */
export type RowPlan =
  | { row: number; kind: 'command'; fields: Record<string, unknown>; envelope: CommandEnvelope }
  | { row: number; kind: 'invalid'; fields: Record<string, unknown> | string; problem: RowProblem };

/** Maps rows of one file to commands of the target's type; the command type must exist. */
export interface RowPlanner {
  plan(row: ReadRow, receivedAt?: Date): RowPlan;
}

export function rowPlanner(contexts: readonly ContextDefinition[], target: ImportTarget): RowPlanner {
  const found = findCommand(contexts, target.type);
  if (!found) throw new Error(`no command type ${target.type}`);
  // NDJSON values are typed already; only a CSV's text cells are converted.
  const kinds: ReadonlyMap<string, FieldKind> =
    target.format === 'csv' ? fieldKindsOf(found.definition.schema) : new Map<string, FieldKind>();
  const correlationId = `import:${target.fileId}`;
  // What the gateway adds of a request's credential; the intake's change has no place for it.
  const credential = {
    ...(target.onBehalfOf !== undefined ? { onBehalfOf: target.onBehalfOf } : {}),
    ...(target.admin ? { admin: true } : {}),
  };
  return {
    plan(read, receivedAt = new Date()) {
      if ('unreadable' in read)
        return {
          row: read.row,
          kind: 'invalid',
          fields: read.unreadable,
          problem: { code: 'unreadable_row', reason: read.reason },
        };
      const payload = target.format === 'csv' ? payloadOfCells(read.fields, kinds) : read.fields;
      try {
        const envelope = commandOfChange(
          contexts,
          {
            type: target.type,
            payload,
            tenant: target.tenant,
            commandId: importCommandId(target.fileId, read.row),
            sourceSystem: target.sourceSystem,
            sourceTimestamp: receivedAt.toISOString(),
            actor: target.actor,
            correlationId,
          },
          receivedAt,
        );
        return {
          row: read.row,
          kind: 'command',
          fields: read.fields,
          envelope: { ...envelope, metadata: { ...envelope.metadata, ...credential } },
        };
      } catch (error) {
        if (!(error instanceof UnmappableChangeError)) throw error;
        return {
          row: read.row,
          kind: 'invalid',
          fields: read.fields,
          problem: { code: error.code, reason: error.message, fields: error.fields },
        };
      }
    },
  };
}
