import { DomainRejection, type Decider, type DomainCommandMetadata } from '@verity/core';
import { conflictIdOf } from '../conflict-id';
import { ALIAS_CONTEXTS, type AliasesCommand, type SetGovernanceData } from './commands';
import type { AliasConflictDetected, AliasesEvent } from './events';

export interface AliasEntry {
  alias: string;
  context: string;
  canonical: string;
  description: string | null;
  owner: string;
  expiresAt: string | null;
  active: boolean;
}

export interface Governance {
  namingPattern: string;
  allowedContexts: string[];
  maxAliasesPerCanonical: number;
}

export interface ConflictEntry {
  conflictId: string;
  alias: string;
  context: string;
  canonical: string;
  owner: string;
  description: string | null;
  expiresAt: string | null;
  existingAlias: string | null;
  existingOwner: string | null;
  kind: string;
  status: 'open' | 'accepted' | 'rejected';
}

/**
 * A tenant's whole alias registry: the aggregate behind stream `<tenant>/registry`.
 *
 * Why one aggregate per tenant and not one per alias: the rules span aliases ("at most one
 * active canonical per alias per context", "a canonical another owner's alias already holds
 * is a conflict", "at most N aliases per canonical", governance that applies to every
 * registration). Only a single decider that sees every alias of the tenant can check them
 * without races; one stream means one writer, so two concurrent registrations are decided
 * in order. A registry is small (thousands of aliases), so the state stays cheap.
 */
export interface RegistryState {
  /** Key `<context>/<alias>`. */
  aliases: Record<string, AliasEntry>;
  governance: Governance;
  conflicts: Record<string, ConflictEntry>;
}

export const DEFAULT_GOVERNANCE: Governance = {
  namingPattern: '^[a-z][a-z0-9-]{1,62}$',
  allowedContexts: [...ALIAS_CONTEXTS],
  maxAliasesPerCanonical: 5,
};

const initialState = (): RegistryState => ({
  aliases: {},
  governance: { ...DEFAULT_GOVERNANCE, allowedContexts: [...DEFAULT_GOVERNANCE.allowedContexts] },
  conflicts: {},
});

const keyOf = (context: string, alias: string): string => `${context}/${alias}`;

/** Active and not expired at `now` (expiresAt <= now no longer resolves). */
const isLive = (entry: AliasEntry | undefined, now: Date): entry is AliasEntry =>
  entry !== undefined && entry.active && (entry.expiresAt === null || Date.parse(entry.expiresAt) > now.getTime());

const violation = (
  rule: 'namingPattern' | 'allowedContexts' | 'maxAliasesPerCanonical',
  reason: string,
  extra: Record<string, unknown> = {},
): DomainRejection => new DomainRejection('governance_violation', reason, { rule, ...extra });

/**
 * Whether the sender of a command speaks for `owner`: as itself (the credential's subject) or
 * for the person an act-as credential named. An admin of the context speaks for everyone.
 */
const speaksFor = (metadata: DomainCommandMetadata, owner: string | null): boolean =>
  metadata.admin === true || (owner !== null && (metadata.actor === owner || metadata.onBehalfOf === owner));

const notAliasOwner = (
  reason: string,
  target: { alias: string; context: string; owner: string | null },
  extra: Record<string, unknown> = {},
): DomainRejection =>
  new DomainRejection('not_alias_owner', reason, {
    alias: target.alias,
    context: target.context,
    owner: target.owner,
    ...extra,
  });

const ownedBy = (owner: string | null): string => (owner === null ? 'has no recorded owner' : `belongs to ${owner}`);

interface Proposal {
  alias: string;
  context: string;
  canonical: string;
  owner: string;
  description: string | null;
  expiresAt: string | null;
}

/** Governance as it stands; `ignore` is an alias that the registration will replace (it does not count). */
function checkGovernance(state: RegistryState, p: Proposal, now: Date, ignore: string[] = []): void {
  const { governance } = state;
  if (!governance.allowedContexts.includes(p.context)) {
    throw violation(
      'allowedContexts',
      `context ${p.context} is not allowed; allowed: ${governance.allowedContexts.join(', ')}`,
      { allowedContexts: governance.allowedContexts },
    );
  }
  if (!new RegExp(governance.namingPattern).test(p.alias)) {
    throw violation('namingPattern', `alias ${p.alias} does not match ${governance.namingPattern}`, {
      namingPattern: governance.namingPattern,
    });
  }
  const self = keyOf(p.context, p.alias);
  const siblings = Object.entries(state.aliases).filter(
    ([key, e]) =>
      key !== self && !ignore.includes(key) && e.context === p.context && e.canonical === p.canonical && isLive(e, now),
  );
  if (siblings.length >= governance.maxAliasesPerCanonical) {
    throw violation(
      'maxAliasesPerCanonical',
      `${p.canonical} already has ${siblings.length} active aliases in ${p.context} (max ${governance.maxAliasesPerCanonical})`,
      {
        maxAliasesPerCanonical: governance.maxAliasesPerCanonical,
      },
    );
  }
}

function registered(p: Proposal, conflictId: string | null): AliasesEvent {
  return {
    type: 'AliasRegistered',
    data: {
      alias: p.alias,
      context: p.context,
      canonical: p.canonical,
      description: p.description,
      owner: p.owner,
      expiresAt: p.expiresAt,
      conflictId,
    },
  };
}

function registerAlias(
  command: Extract<AliasesCommand, { type: 'RegisterAlias' }>,
  state: RegistryState,
): AliasesEvent[] {
  const { data, metadata } = command;
  const { now } = metadata;
  // Naming another owner is an admin's act: anyone else registers in their own name.
  if (data.owner !== undefined && !speaksFor(metadata, data.owner))
    throw notAliasOwner(`only an admin may register ${data.context}/${data.alias} for another owner (${data.owner})`, {
      alias: data.alias,
      context: data.context,
      owner: data.owner,
    });
  const owner = data.owner ?? metadata.onBehalfOf ?? metadata.actor ?? 'anonymous';
  const expiresAt = data.expiresAt === undefined ? null : new Date(data.expiresAt).toISOString();
  if (expiresAt !== null && Date.parse(expiresAt) <= now.getTime()) {
    throw new DomainRejection('expiry_in_past', `expiresAt ${expiresAt} is not after now (${now.toISOString()})`, {
      expiresAt,
    });
  }
  const p: Proposal = {
    alias: data.alias,
    context: data.context,
    canonical: data.canonical,
    owner,
    description: data.description ?? null,
    expiresAt,
  };
  checkGovernance(state, p, now);

  const existing = state.aliases[keyOf(p.context, p.alias)];
  if (isLive(existing, now)) {
    if (existing.owner === owner && existing.canonical === p.canonical) {
      throw new DomainRejection('alias_exists', `${p.context}/${p.alias} already resolves to ${p.canonical}`, {
        alias: p.alias,
        context: p.context,
        canonical: p.canonical,
      });
    }
    if (existing.owner !== owner) return [conflict(command, p, existing, 'alias_taken')];
  }
  const holder = Object.values(state.aliases).find(
    (e) =>
      e.alias !== p.alias &&
      e.context === p.context &&
      e.canonical === p.canonical &&
      e.owner !== owner &&
      isLive(e, now),
  );
  if (holder) return [conflict(command, p, holder, 'canonical_owned')];
  // Same owner re-pointing an alias replaces its canonical: still one active canonical per alias per context.
  return [registered(p, null)];
}

function conflict(
  command: AliasesCommand,
  p: Proposal,
  existing: AliasEntry,
  kind: 'alias_taken' | 'canonical_owned',
): AliasConflictDetected {
  const { commandId, tenant } = command.metadata;
  if (commandId === undefined) throw new Error('RegisterAlias needs metadata.commandId to name a conflict');
  return {
    type: 'AliasConflictDetected',
    data: {
      conflictId: conflictIdOf(tenant, commandId),
      alias: p.alias,
      context: p.context,
      canonical: p.canonical,
      owner: p.owner,
      existingAlias: existing.alias,
      existingOwner: existing.owner,
      kind,
      description: p.description,
      expiresAt: p.expiresAt,
    },
  };
}

/**
 * Only the alias's owner or an admin. Expiry needs no command (an expired alias stops resolving
 * at its time), so no system actor has to pass this check.
 */
function deactivateAlias(
  { data, metadata }: Extract<AliasesCommand, { type: 'DeactivateAlias' }>,
  state: RegistryState,
): AliasesEvent[] {
  const existing = state.aliases[keyOf(data.context, data.alias)];
  if (!existing)
    throw new DomainRejection('alias_not_found', `no alias ${data.alias} in ${data.context}`, {
      alias: data.alias,
      context: data.context,
    });
  if (!speaksFor(metadata, existing.owner))
    throw notAliasOwner(
      `alias ${data.alias} in ${data.context} ${ownedBy(existing.owner)}: only its owner or an admin may deactivate it`,
      existing,
    );
  if (!existing.active)
    throw new DomainRejection('alias_not_active', `alias ${data.alias} in ${data.context} is already deactivated`, {
      alias: data.alias,
      context: data.context,
    });
  return [
    {
      type: 'AliasDeactivated',
      data: { alias: data.alias, context: data.context, canonical: existing.canonical, reason: 'deactivated' },
    },
  ];
}

function setGovernance(data: SetGovernanceData, state: RegistryState): AliasesEvent[] {
  const next: Governance = {
    namingPattern: data.namingPattern ?? state.governance.namingPattern,
    allowedContexts: data.allowedContexts ? [...new Set(data.allowedContexts)] : state.governance.allowedContexts,
    maxAliasesPerCanonical: data.maxAliasesPerCanonical ?? state.governance.maxAliasesPerCanonical,
  };
  return [{ type: 'GovernanceSet', data: { ...next } }];
}

/**
 * Only the owner of the alias the proposal collided with (it is that alias, or its canonical,
 * that an accept takes away) or an admin.
 */
function resolveConflict(
  { data, metadata }: Extract<AliasesCommand, { type: 'ResolveAliasConflict' }>,
  state: RegistryState,
): AliasesEvent[] {
  const { now } = metadata;
  const open = state.conflicts[data.conflictId];
  if (!open)
    throw new DomainRejection('conflict_not_found', `no conflict ${data.conflictId}`, { conflictId: data.conflictId });
  if (!speaksFor(metadata, open.existingOwner)) {
    const alias = open.existingAlias ?? open.alias;
    throw notAliasOwner(
      `conflict ${open.conflictId} is over alias ${alias} in ${open.context}, which ${ownedBy(open.existingOwner)}: only its owner or an admin may resolve it`,
      { alias, context: open.context, owner: open.existingOwner },
      { conflictId: open.conflictId },
    );
  }
  if (open.status !== 'open')
    throw new DomainRejection('conflict_already_resolved', `conflict ${data.conflictId} was already ${open.status}`, {
      conflictId: data.conflictId,
      status: open.status,
    });
  const resolved: AliasesEvent = {
    type: 'AliasConflictResolved',
    data: { conflictId: open.conflictId, resolution: data.resolution, alias: open.alias, context: open.context },
  };
  if (data.resolution === 'reject') return [resolved];

  if (open.expiresAt !== null && Date.parse(open.expiresAt) <= now.getTime()) {
    throw new DomainRejection('expiry_in_past', `the proposed alias expired at ${open.expiresAt}`, {
      expiresAt: open.expiresAt,
    });
  }
  // Accept: the proposal replaces the alias it collided with (same key: overwritten; other key: deactivated).
  const replaced =
    open.existingAlias !== null && open.kind === 'canonical_owned'
      ? state.aliases[keyOf(open.context, open.existingAlias)]
      : undefined;
  const deactivate = replaced && replaced.active && replaced.canonical === open.canonical ? [replaced] : [];
  const p: Proposal = {
    alias: open.alias,
    context: open.context,
    canonical: open.canonical,
    owner: open.owner,
    description: open.description,
    expiresAt: open.expiresAt,
  };
  checkGovernance(
    state,
    p,
    now,
    deactivate.map((e) => keyOf(e.context, e.alias)),
  );
  return [
    resolved,
    ...deactivate.map((e): AliasesEvent => ({
      type: 'AliasDeactivated',
      data: { alias: e.alias, context: e.context, canonical: e.canonical, reason: 'replaced' },
    })),
    registered(p, open.conflictId),
  ];
}

function decide(command: AliasesCommand, state: RegistryState): AliasesEvent[] {
  switch (command.type) {
    case 'RegisterAlias':
      return registerAlias(command, state);
    case 'DeactivateAlias':
      return deactivateAlias(command, state);
    case 'SetGovernance':
      return setGovernance(command.data, state);
    case 'ResolveAliasConflict':
      return resolveConflict(command, state);
    default: {
      const unknownCommand: never = command;
      throw new DomainRejection(
        'unknown_command_type',
        `unknown aliases command ${String((unknownCommand as { type: string }).type)}`,
      );
    }
  }
}

function evolve(state: RegistryState, event: AliasesEvent): RegistryState {
  switch (event.type) {
    case 'AliasRegistered': {
      const { alias, context, canonical, description, owner, expiresAt } = event.data;
      return {
        ...state,
        aliases: {
          ...state.aliases,
          [keyOf(context, alias)]: { alias, context, canonical, description, owner, expiresAt, active: true },
        },
      };
    }
    case 'AliasDeactivated': {
      const key = keyOf(event.data.context, event.data.alias);
      const entry = state.aliases[key];
      return entry ? { ...state, aliases: { ...state.aliases, [key]: { ...entry, active: false } } } : state;
    }
    case 'GovernanceSet': {
      const { namingPattern, allowedContexts, maxAliasesPerCanonical } = event.data;
      return { ...state, governance: { namingPattern, allowedContexts: [...allowedContexts], maxAliasesPerCanonical } };
    }
    case 'AliasConflictDetected': {
      const d = event.data;
      return { ...state, conflicts: { ...state.conflicts, [d.conflictId]: { ...d, status: 'open' } } };
    }
    case 'AliasConflictResolved': {
      const entry = state.conflicts[event.data.conflictId];
      if (!entry) return state;
      const status = event.data.resolution === 'accept' ? 'accepted' : 'rejected';
      return { ...state, conflicts: { ...state.conflicts, [entry.conflictId]: { ...entry, status } } };
    }
    default: {
      const unknownEvent: never = event;
      throw new Error(`unknown aliases event ${String((unknownEvent as { type: string }).type)}`);
    }
  }
}

export const aliasesDecider: Decider<RegistryState, AliasesCommand, AliasesEvent> = { decide, evolve, initialState };
