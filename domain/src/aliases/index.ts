import { defineContext } from '@verity/core';
import {
  deactivateAliasSchema,
  registerAliasSchema,
  resolveAliasConflictSchema,
  setGovernanceSchema,
  type AliasesCommand,
} from './commands';
import { aliasesDecider, type RegistryState } from './decider';
import { ALIASES_EVENTS, type AliasesEvent } from './events';

/** Every command targets the tenant's whole registry (stream `<tenant>/registry`); see RegistryState for why. */
const registry = (): string => 'registry';

export const aliasesContext = defineContext<RegistryState, AliasesCommand, AliasesEvent>({
  name: 'aliases',
  commands: {
    RegisterAlias: { schema: registerAliasSchema, aggregateId: registry },
    DeactivateAlias: { schema: deactivateAliasSchema, aggregateId: registry },
    SetGovernance: { schema: setGovernanceSchema, aggregateId: registry },
    ResolveAliasConflict: { schema: resolveAliasConflictSchema, aggregateId: registry },
  },
  decider: aliasesDecider,
  events: ALIASES_EVENTS,
});

export { aliasesDecider, DEFAULT_GOVERNANCE, type RegistryState } from './decider';
export { ALIAS_CONTEXTS, type AliasContext, type AliasesCommand } from './commands';
export type { AliasesEvent } from './events';
