import type {
  AliasConflictDetected as AliasConflictDetectedPayload,
  AliasConflictResolved as AliasConflictResolvedPayload,
  AliasDeactivated as AliasDeactivatedPayload,
  AliasRegistered as AliasRegisteredPayload,
  DomainEvent,
  GovernanceSet as GovernanceSetPayload,
} from '@verity/core';

/** Payloads are the generated types of `schemas/aliases/*.avsc` (newest version of each). */
export type AliasRegistered = DomainEvent<'AliasRegistered', AliasRegisteredPayload>;
export type AliasDeactivated = DomainEvent<'AliasDeactivated', AliasDeactivatedPayload>;
export type GovernanceSet = DomainEvent<'GovernanceSet', GovernanceSetPayload>;
export type AliasConflictDetected = DomainEvent<'AliasConflictDetected', AliasConflictDetectedPayload>;
export type AliasConflictResolved = DomainEvent<'AliasConflictResolved', AliasConflictResolvedPayload>;

export type AliasesEvent =
  AliasRegistered | AliasDeactivated | GovernanceSet | AliasConflictDetected | AliasConflictResolved;

export const ALIASES_EVENTS = [
  'AliasRegistered',
  'AliasDeactivated',
  'GovernanceSet',
  'AliasConflictDetected',
  'AliasConflictResolved',
] as const satisfies readonly AliasesEvent['type'][];
