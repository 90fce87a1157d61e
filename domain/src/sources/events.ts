import type { DomainEvent } from '@verity/core';

/** Shapes mirror `schemas/sources/*.avsc`. */
export type AuthorityRuleSet = DomainEvent<'AuthorityRuleSet', { field: string; owners: string[]; previousOwners: string[] | null }>;
export type AuthorityRuleRemoved = DomainEvent<'AuthorityRuleRemoved', { field: string; previousOwners: string[] }>;

export type SourcesEvent = AuthorityRuleSet | AuthorityRuleRemoved;

export const SOURCES_EVENTS = ['AuthorityRuleSet', 'AuthorityRuleRemoved'] as const satisfies readonly SourcesEvent['type'][];
