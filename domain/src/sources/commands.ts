import { z } from 'zod';
import { SOURCE_SYSTEMS, type DomainCommand } from '@verity/core';
import { GOVERNED_FIELDS } from './governed-fields';

const field = z.enum(GOVERNED_FIELDS);

/** Names the only sources whose changes of `field` are applied (listed once each, in the order given). */
export const setAuthorityRuleSchema = z.strictObject({
  field,
  owners: z
    .array(z.enum(SOURCE_SYSTEMS))
    .min(1, 'at least one owning source system')
    .transform((owners) => [...new Set(owners)]),
});
export type SetAuthorityRuleData = z.infer<typeof setAuthorityRuleSchema>;

/** Without a rule, a field takes changes from every source (older ones are still refused). */
export const removeAuthorityRuleSchema = z.strictObject({ field });
export type RemoveAuthorityRuleData = z.infer<typeof removeAuthorityRuleSchema>;

export type SourcesCommand =
  | DomainCommand<'SetAuthorityRule', SetAuthorityRuleData>
  | DomainCommand<'RemoveAuthorityRule', RemoveAuthorityRuleData>;
