/**
 * The fields whose owner a tenant can name. A rule names the source systems whose changes of
 * the field are applied; changes from any other source become conflicts. Fields are named
 * `<context>.<field>`.
 */
export const GOVERNED_FIELDS = [
  'catalog.name',
  'catalog.description',
  'catalog.unit',
  'catalog.attributes',
  'inventory.onHand',
] as const;
export type GovernedField = (typeof GOVERNED_FIELDS)[number];
