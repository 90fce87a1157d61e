import { deciderSpec } from '@verity/core';
import { authorityDecider } from './decider';
import { removeAuthorityRuleSchema, setAuthorityRuleSchema, type SourcesCommand } from './commands';
import type { SourcesEvent } from './events';
import { judgeChange } from './governance';

const spec = deciderSpec(authorityDecider);
const metadata = { tenant: 'acme', now: new Date('2026-11-23T10:00:00Z') };
const set = (field: string, owners: string[]): SourcesCommand => ({
  type: 'SetAuthorityRule',
  data: { field: field as never, owners: owners as never },
  metadata,
});
const remove = (field: string): SourcesCommand => ({
  type: 'RemoveAuthorityRule',
  data: { field: field as never },
  metadata,
});
const ruleSet = (field: string, owners: string[], previousOwners: string[] | null = null): SourcesEvent => ({
  type: 'AuthorityRuleSet',
  data: { field, owners, previousOwners },
});

describe('sources decider (authority rules per tenant)', () => {
  it('names the owners of a field', () => {
    spec
      .given([])
      .when(set('inventory.onHand', ['erp-db']))
      .then([ruleSet('inventory.onHand', ['erp-db'])]);
  });

  it('replacing a rule records the previous owners; the same owners again append nothing', () => {
    spec
      .given([ruleSet('catalog.description', ['shopify'])])
      .when(set('catalog.description', ['shopify', 'netsuite']))
      .then([ruleSet('catalog.description', ['shopify', 'netsuite'], ['shopify'])]);
    spec
      .given([ruleSet('catalog.description', ['shopify'])])
      .when(set('catalog.description', ['shopify']))
      .then([]);
  });

  it('removes a rule; removing a rule that does not exist is no_authority_rule', () => {
    spec
      .given([ruleSet('catalog.name', ['erp-db'])])
      .when(remove('catalog.name'))
      .then([{ type: 'AuthorityRuleRemoved', data: { field: 'catalog.name', previousOwners: ['erp-db'] } }]);
    spec.given([]).when(remove('catalog.name')).thenRejects('no_authority_rule', { field: 'catalog.name' });
  });

  it('evolve keeps one owner list per field', () => {
    const history = [
      ruleSet('catalog.name', ['erp-db']),
      ruleSet('inventory.onHand', ['sap-b1']),
      { type: 'AuthorityRuleRemoved', data: { field: 'catalog.name', previousOwners: ['erp-db'] } } as SourcesEvent,
    ];
    expect(history.reduce(authorityDecider.evolve, authorityDecider.initialState())).toEqual({
      rules: { 'inventory.onHand': ['sap-b1'] },
    });
  });

  it('payloads: a known field and known source systems, each owner once', () => {
    expect(setAuthorityRuleSchema.parse({ field: 'catalog.unit', owners: ['erp-db', 'erp-db', 'api'] })).toEqual({
      field: 'catalog.unit',
      owners: ['erp-db', 'api'],
    });
    expect(
      setAuthorityRuleSchema.safeParse({ field: 'catalog.colour', owners: ['erp-db'] }).error?.issues[0]?.path,
    ).toEqual(['field']);
    expect(
      setAuthorityRuleSchema.safeParse({ field: 'catalog.unit', owners: ['magento'] }).error?.issues[0]?.path,
    ).toEqual(['owners', 0]);
    expect(setAuthorityRuleSchema.safeParse({ field: 'catalog.unit', owners: [] }).error?.issues[0]?.path).toEqual([
      'owners',
    ]);
    expect(removeAuthorityRuleSchema.safeParse({ field: 'catalog.unit', owners: [] }).success).toBe(false);
  });
});

describe('judgeChange', () => {
  const at = (iso: string) => new Date(iso);
  const applied = { sourceSystem: 'erp-db', sourceTimestamp: '2026-11-23T09:00:00.000Z' };

  it('ownership is judged before age: a newer change from a non-owner is not_owner', () => {
    expect(
      judgeChange('catalog.name', { system: 'shopify', at: at('2026-11-23T12:00:00Z') }, applied, {
        'catalog.name': ['erp-db'],
      }),
    ).toEqual({ rule: 'not_owner', owners: ['erp-db'] });
  });

  it("an owner's older change is older_than_applied; the same instant applies", () => {
    expect(
      judgeChange('catalog.name', { system: 'erp-db', at: at('2026-11-23T08:00:00Z') }, applied, {
        'catalog.name': ['erp-db'],
      }),
    ).toEqual({ rule: 'older_than_applied', owners: ['erp-db'] });
    expect(
      judgeChange('catalog.name', { system: 'erp-db', at: at('2026-11-23T09:00:00Z') }, applied, {
        'catalog.name': ['erp-db'],
      }),
    ).toBeNull();
  });

  it('without a rule or a prior source, any change applies', () => {
    expect(
      judgeChange('catalog.name', { system: 'shopify', at: at('2000-01-01T00:00:00Z') }, undefined, null),
    ).toBeNull();
  });
});
