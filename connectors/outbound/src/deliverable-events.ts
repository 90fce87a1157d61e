import { eventFullName, type ContextDefinition } from '@verity/core';
import { randomBytes } from 'node:crypto';

/** Contexts whose events no subscription may take: access events carry key hashes and sealed secrets. */
export const UNDELIVERABLE_CONTEXTS: ReadonlySet<string> = new Set(['access']);

/** The contexts whose events subscriptions may take. */
export const deliverableContexts = (contexts: readonly ContextDefinition[]): ContextDefinition[] =>
  contexts.filter((c) => !UNDELIVERABLE_CONTEXTS.has(c.name));

/** Every event type a subscription may name: those of every context but access. */
export const deliverableEventTypes = (contexts: readonly ContextDefinition[]): string[] =>
  deliverableContexts(contexts).flatMap((c) => c.events.map((e) => eventFullName(c.name, e)));

/** The patterns of `eventTypes` that name no deliverable event type nor context (`verity.<ctx>.*`). */
export function unknownEventTypes(contexts: readonly ContextDefinition[], eventTypes: readonly string[]): string[] {
  const types = new Set(deliverableEventTypes(contexts));
  const wholeContexts = new Set(deliverableContexts(contexts).map((c) => `verity.${c.name}.*`));
  return eventTypes.filter((t) => !types.has(t) && !wholeContexts.has(t));
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** A new subscription id: `whs_` and 16 random base32 characters (80 bits). */
export const newSubscriptionId = (): string => `whs_${[...randomBytes(16)].map((b) => BASE32[b % 32]).join('')}`;
