import type { AliasConflictDetected as AliasConflictDetectedData, AliasConflictResolved as AliasConflictResolvedData, AliasDeactivated as AliasDeactivatedData, AliasRegistered as AliasRegisteredData, DomainEvent, GovernanceSet as GovernanceSetData } from '@verity/core';

/** Shapes are the generated types of `schemas/aliases/*.avsc` (newest version of each). */
export type AliasRegistered = DomainEvent<'AliasRegistered', AliasRegisteredData & Record<string, unknown>>;
export type AliasDeactivated = DomainEvent<'AliasDeactivated', AliasDeactivatedData & Record<string, unknown>>;
export type GovernanceSet = DomainEvent<'GovernanceSet', GovernanceSetData & Record<string, unknown>>;
export type AliasConflictDetected = DomainEvent<'AliasConflictDetected', AliasConflictDetectedData & Record<string, unknown>>;
export type AliasConflictResolved = DomainEvent<'AliasConflictResolved', AliasConflictResolvedData & Record<string, unknown>>;

export type AliasesEvent = AliasRegistered | AliasDeactivated | GovernanceSet | AliasConflictDetected | AliasConflictResolved;

export const ALIASES_EVENTS = [
  'AliasRegistered',
  'AliasDeactivated',
  'GovernanceSet',
  'AliasConflictDetected',
  'AliasConflictResolved',
] as const satisfies readonly AliasesEvent['type'][];
