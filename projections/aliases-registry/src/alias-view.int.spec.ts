import { projectionSpec } from '@verity/events/testing';
import { readAlias, readAliases, type AliasView } from './alias-view';
import { aliasesRegistryProjection } from './projection';

const spec = projectionSpec(aliasesRegistryProjection);

const registered = (context: string, alias: string, canonical: string, tenant = 'acme') => ({
  type: 'verity.aliases.AliasRegistered' as const,
  data: { alias, context, canonical, description: null, owner: 'team-web', expiresAt: null, conflictId: null },
  metadata: { tenant, subject: `${tenant}/registry` },
});

describe('readAliases', () => {
  it('reads the views readAlias reads, one per name asked for, none for a name without an alias', () =>
    spec
      .given([
        registered('frontend', 'products', 'catalog.products.list'),
        registered('frontend', 'stock', 'inventory.stock.get'),
        registered('backoffice', 'products', 'catalog.products.admin'),
        registered('frontend', 'products', 'catalog.globex.list', 'globex'),
      ])
      .when([
        {
          type: 'verity.aliases.AliasDeactivated',
          data: { alias: 'stock', context: 'frontend', canonical: 'inventory.stock.get', reason: 'deactivated' },
          metadata: { subject: 'acme/registry' },
        },
      ])
      .then(async ({ db, schema }) => {
        const now = new Date();
        const names = [
          { context: 'backoffice', alias: 'products' },
          { context: 'frontend', alias: 'stock' },
          { context: 'frontend', alias: 'missing' },
          { context: 'backoffice', alias: 'stock' },
          { context: 'frontend', alias: 'products' },
        ];
        const byName = (views: AliasView[]) => new Map(views.map((v) => [`${v.context}:${v.alias}`, v]));
        const views = await readAliases(db, schema, 'acme', names, now);
        const one: AliasView[] = [];
        for (const { context, alias } of names) {
          const view = await readAlias(db, schema, 'acme', context, alias, now);
          if (view) one.push(view);
        }
        expect(one).toHaveLength(3);
        expect(views).toHaveLength(3);
        expect(byName(views)).toEqual(byName(one));
        expect(byName(views).get('frontend:products')).toMatchObject({
          tenant: 'acme',
          canonical: 'catalog.products.list',
          status: 'active',
        });
        expect(byName(views).get('backoffice:products')).toMatchObject({ canonical: 'catalog.products.admin' });
        expect(byName(views).get('frontend:stock')).toMatchObject({ status: 'inactive', version: 4 });
        expect(await readAliases(db, schema, 'globex', names, now)).toEqual([
          expect.objectContaining({ tenant: 'globex', canonical: 'catalog.globex.list' }),
        ]);
        expect(await readAliases(db, schema, 'acme', [], now)).toEqual([]);
      }));
});
