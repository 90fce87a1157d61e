import { DomainRejection, type Decider } from '@verity/core';
import type { RemoveAuthorityRuleData, SetAuthorityRuleData, SourcesCommand } from './commands';
import type { AuthorityRuleRemoved, AuthorityRuleSet, SourcesEvent } from './events';

/** Field → the source systems that own it. */
export type AuthorityRules = Readonly<Record<string, readonly string[]>>;

/** A tenant's authority rules: the aggregate behind stream `<tenant>/authority`. */
export interface AuthorityState {
  rules: AuthorityRules;
}

const initialState = (): AuthorityState => ({ rules: {} });

const sameOwners = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((owner, i) => owner === b[i]);

/** Setting the rule a field already has appends nothing. */
function setRule(data: SetAuthorityRuleData, state: AuthorityState): AuthorityRuleSet[] {
  const previous = state.rules[data.field];
  if (previous && sameOwners(previous, data.owners)) return [];
  return [
    {
      type: 'AuthorityRuleSet',
      data: { field: data.field, owners: data.owners, previousOwners: previous ? [...previous] : null },
    },
  ];
}

function removeRule(data: RemoveAuthorityRuleData, state: AuthorityState): AuthorityRuleRemoved[] {
  const previous = state.rules[data.field];
  if (!previous)
    throw new DomainRejection('no_authority_rule', `no authority rule for ${data.field}`, { field: data.field });
  return [{ type: 'AuthorityRuleRemoved', data: { field: data.field, previousOwners: [...previous] } }];
}

function decide(command: SourcesCommand, state: AuthorityState): SourcesEvent[] {
  switch (command.type) {
    case 'SetAuthorityRule':
      return setRule(command.data, state);
    case 'RemoveAuthorityRule':
      return removeRule(command.data, state);
    default: {
      const unknownCommand: never = command;
      throw new DomainRejection(
        'unknown_command_type',
        `unknown sources command ${String((unknownCommand as SourcesCommand).type)}`,
      );
    }
  }
}

function evolve(state: AuthorityState, event: SourcesEvent): AuthorityState {
  switch (event.type) {
    case 'AuthorityRuleSet':
      return { rules: { ...state.rules, [event.data.field]: [...event.data.owners] } };
    case 'AuthorityRuleRemoved': {
      const { [event.data.field]: _removed, ...rules } = state.rules;
      return { rules };
    }
    default: {
      const unknownEvent: never = event;
      throw new Error(`unknown sources event ${String((unknownEvent as SourcesEvent).type)}`);
    }
  }
}

export const authorityDecider: Decider<AuthorityState, SourcesCommand, SourcesEvent> = { decide, evolve, initialState };
