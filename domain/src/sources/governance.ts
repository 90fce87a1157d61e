import { z } from 'zod';
import {
  sourceOf,
  type CatalogConflictDetected,
  type ChangeSource,
  type DomainCommand,
  type InventoryConflictDetected,
} from '@verity/core';
import { conflictIdOf } from '../conflict-id';
import type { AuthorityRules } from './decider';
import type { GovernedField } from './governed-fields';

/** Which source last set a field, and the source's own time of that change (ISO 8601). */
export interface Provenance {
  sourceSystem: string;
  sourceTimestamp: string;
}

export const provenanceOf = (source: ChangeSource): Provenance => ({
  sourceSystem: source.system,
  sourceTimestamp: source.at.toISOString(),
});

/** `not_owner`: an authority rule names other sources; `older_than_applied`: the field already holds a newer change. */
export type ConflictRule = 'not_owner' | 'older_than_applied';

export interface Judgement {
  rule: ConflictRule;
  /** The owners the tenant's rule names for the field; empty when no rule does. */
  owners: string[];
}

/**
 * Whether a change of `field` from `source` may be applied: null when it may, else the rule it
 * breaks. Ownership is judged first: a non-owner's change is a conflict however new it is.
 */
export function judgeChange(
  field: GovernedField,
  source: ChangeSource,
  applied: Provenance | undefined,
  rules: AuthorityRules | null | undefined,
): Judgement | null {
  const owners = rules?.[field];
  if (owners && !owners.includes(source.system)) return { rule: 'not_owner', owners: [...owners] };
  if (applied && source.at.getTime() < Date.parse(applied.sourceTimestamp))
    return { rule: 'older_than_applied', owners: owners ? [...owners] : [] };
  return null;
}

/** The tenant's authority rules as the processor handed them to the command (none when the tenant has set none). */
export const authorityRulesOf = (command: DomainCommand): AuthorityRules | null =>
  (command.references?.authority as AuthorityRules | null | undefined) ?? null;

/**
 * The payload of `ConflictDetected`, the same in catalog and inventory: both values (as JSON),
 * both sources, the rule. It satisfies both contexts' schemas.
 */
export type SourceConflict = CatalogConflictDetected & InventoryConflictDetected;

/** A conflict a stream keeps until it is resolved: what accepting the incoming side would apply. */
export interface OpenConflict {
  field: string;
  location: string | null;
  incomingValue: string;
  incomingSourceSystem: string;
  incomingSourceTimestamp: string;
}

export function sourceConflict(args: {
  command: DomainCommand;
  field: GovernedField;
  sku: string;
  location?: string;
  current: unknown;
  applied: Provenance | undefined;
  incoming: unknown;
  judgement: Judgement;
}): SourceConflict {
  const { command, field, sku, location, current, applied, incoming, judgement } = args;
  const { commandId, tenant } = command.metadata;
  if (commandId === undefined) throw new Error('a conflict needs metadata.commandId to be named');
  const source = provenanceOf(sourceOf(command));
  return {
    conflictId: conflictIdOf(tenant, commandId, field, location ?? ''),
    sku,
    location: location ?? null,
    field,
    currentValue: JSON.stringify(current ?? null),
    currentSourceSystem: applied?.sourceSystem ?? null,
    currentSourceTimestamp: applied?.sourceTimestamp ?? null,
    incomingValue: JSON.stringify(incoming),
    incomingSourceSystem: source.sourceSystem,
    incomingSourceTimestamp: source.sourceTimestamp,
    rule: judgement.rule,
    owners: judgement.owners,
  };
}

/** What the stream keeps of a detected conflict: only what accepting it needs. */
export const openConflictOf = (conflict: OpenConflict): OpenConflict => ({
  field: conflict.field,
  location: conflict.location,
  incomingValue: conflict.incomingValue,
  incomingSourceSystem: conflict.incomingSourceSystem,
  incomingSourceTimestamp: conflict.incomingSourceTimestamp,
});

/** `current` keeps the value the stream holds; `incoming` applies the refused change as its source sent it. */
export const conflictResolutionSchema = z.enum(['current', 'incoming']);
export const conflictIdSchema = z
  .string()
  .trim()
  .regex(/^conflict-[0-9a-f]{24}$/, 'a conflict id as ConflictDetected names it');
