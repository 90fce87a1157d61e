import type {
  AuthorityRuleRemoved as AuthorityRuleRemovedPayload,
  AuthorityRuleSet as AuthorityRuleSetPayload,
  DomainEvent,
} from '@verity/core';

/** Payloads are the generated types of `schemas/sources/*.avsc` (newest version of each). */
export type AuthorityRuleSet = DomainEvent<'AuthorityRuleSet', AuthorityRuleSetPayload>;
export type AuthorityRuleRemoved = DomainEvent<'AuthorityRuleRemoved', AuthorityRuleRemovedPayload>;

export type SourcesEvent = AuthorityRuleSet | AuthorityRuleRemoved;

export const SOURCES_EVENTS = [
  'AuthorityRuleSet',
  'AuthorityRuleRemoved',
] as const satisfies readonly SourcesEvent['type'][];
