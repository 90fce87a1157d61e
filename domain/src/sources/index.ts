import { defineContext, type ReferenceDefinition } from '@verity/core';
import { removeAuthorityRuleSchema, setAuthorityRuleSchema, type SourcesCommand } from './commands';
import { authorityDecider, type AuthorityRules, type AuthorityState } from './decider';
import { SOURCES_EVENTS, type SourcesEvent } from './events';

/** Every sources command targets the tenant's one rule set, `<tenant>/authority`. */
const AUTHORITY_STREAM = 'authority';

export const sourcesContext = defineContext<AuthorityState, SourcesCommand, SourcesEvent>({
  name: 'sources',
  commands: {
    SetAuthorityRule: { schema: setAuthorityRuleSchema, aggregateId: () => AUTHORITY_STREAM },
    RemoveAuthorityRule: { schema: removeAuthorityRuleSchema, aggregateId: () => AUTHORITY_STREAM },
  },
  decider: authorityDecider,
  events: SOURCES_EVENTS,
});

/** The tenant's authority rules, as a reference for the contexts whose fields they govern. */
export const authorityReference = (commands: readonly string[]): ReferenceDefinition => ({
  context: 'sources',
  commands,
  aggregateId: () => AUTHORITY_STREAM,
  view: (state): AuthorityRules => (state as AuthorityState).rules,
});

export { authorityDecider, type AuthorityRules, type AuthorityState } from './decider';
export { GOVERNED_FIELDS, type GovernedField } from './governed-fields';
export type { SourcesCommand } from './commands';
export type { SourcesEvent } from './events';
