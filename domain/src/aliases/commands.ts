import { safeRegex } from 'safe-regex2';
import { z } from 'zod';
import type { DomainCommand } from '@verity/core';

export const ALIAS_CONTEXTS = ['frontend', 'backend', 'system'] as const;
export type AliasContext = (typeof ALIAS_CONTEXTS)[number];

const aliasContext = z.enum(ALIAS_CONTEXTS);
// Shape only: the tenant's naming pattern (governance) is a domain rule checked by the decider.
const alias = z.string().trim().min(1).max(128);
const canonical = z.string().trim().min(1).max(256);
const owner = z.string().trim().min(1).max(128);

export const registerAliasSchema = z.strictObject({
  alias,
  context: aliasContext,
  canonical,
  description: z.string().max(1000).optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  owner: owner.optional(),
});
export type RegisterAliasData = z.infer<typeof registerAliasSchema>;

export const deactivateAliasSchema = z.strictObject({ alias, context: aliasContext });
export type DeactivateAliasData = z.infer<typeof deactivateAliasSchema>;

const compiles = (pattern: string): boolean => {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
};

/** The decider runs the pattern on every registration: one with nested quantifiers ((a+)+) could take exponential time and stall its partition. */
const namingPattern = z
  .string()
  .min(1)
  .max(200)
  .refine(compiles, 'not a valid regular expression')
  .refine(
    (pattern) => !compiles(pattern) || safeRegex(pattern),
    'nested quantifiers such as (a+)+ can take exponential time: not allowed',
  );

export const setGovernanceSchema = z
  .strictObject({
    namingPattern: namingPattern.optional(),
    allowedContexts: z.array(aliasContext).min(1).max(ALIAS_CONTEXTS.length).optional(),
    maxAliasesPerCanonical: z.number().int().min(1).max(1000).optional(),
  })
  .refine(
    (g) => g.namingPattern !== undefined || g.allowedContexts !== undefined || g.maxAliasesPerCanonical !== undefined,
    {
      message: 'give at least one of namingPattern, allowedContexts, maxAliasesPerCanonical',
    },
  );
export type SetGovernanceData = z.infer<typeof setGovernanceSchema>;

export const resolveAliasConflictSchema = z.strictObject({
  conflictId: z.string().trim().min(1).max(128),
  resolution: z.enum(['accept', 'reject']),
});
export type ResolveAliasConflictData = z.infer<typeof resolveAliasConflictSchema>;

export type AliasesCommand =
  | DomainCommand<'RegisterAlias', RegisterAliasData>
  | DomainCommand<'DeactivateAlias', DeactivateAliasData>
  | DomainCommand<'SetGovernance', SetGovernanceData>
  | DomainCommand<'ResolveAliasConflict', ResolveAliasConflictData>;
