import type { ContextDefinition } from '@verity/core';
import { accessContext } from './access';
import { inventoryContext } from './inventory';
import { aliasesContext } from './aliases';
import { catalogContext } from './catalog';
import { pricingContext } from './pricing';
import { sourcesContext } from './sources';

/** Every context this processor decides for; the gateway validates commands against the same list. */
export const contexts: readonly ContextDefinition[] = [
  inventoryContext,
  catalogContext,
  aliasesContext,
  pricingContext,
  sourcesContext,
  accessContext,
];
