import { projectionSpec } from '@verity/events/testing';
import { readProductView, readProductViews, type ProductView } from './product-view';
import { catalogProductsProjection } from './projection';

const spec = projectionSpec(catalogProductsProjection);

const registered = (sku: string, name: string, tenant = 'acme') => ({
  type: 'verity.catalog.ProductRegistered' as const,
  data: {
    sku,
    name,
    unit: 'pc',
    description: null,
    attributes: { size: sku },
    sourceSystem: null,
    sourceTimestamp: null,
  },
  metadata: { tenant, subject: `${tenant}/${sku}` },
});

describe('readProductViews', () => {
  it('reads the views readProductView reads, one per SKU asked for, none for a SKU without a product', () =>
    spec
      .given([
        registered('S-1', 'Bolt'),
        registered('S-2', 'Nut'),
        registered('S-3', 'Washer'),
        registered('S-1', 'Globex bolt', 'globex'),
      ])
      .when([
        {
          type: 'verity.catalog.ProductDiscontinued',
          data: { sku: 'S-3', reason: 'end of line' },
          metadata: { subject: 'acme/S-3' },
        },
      ])
      .then(async ({ db, schema }) => {
        const skus = ['S-3', 'S-1', 'MISSING', 'S-2', 'S-1'];
        const views = await readProductViews(db, schema, 'acme', skus);
        const one = new Map<string, ProductView>();
        for (const sku of skus) {
          const view = await readProductView(db, schema, 'acme', sku);
          if (view) one.set(sku, view);
        }
        expect(one.size).toBe(3);
        expect(views).toEqual(one);
        expect(views.get('S-1')).toMatchObject({ tenant: 'acme', name: 'Bolt', version: 1 });
        expect(views.get('S-3')).toMatchObject({ status: 'discontinued', version: 2 });
        const globex = await readProductViews(db, schema, 'globex', skus);
        expect([...globex.values()]).toEqual([expect.objectContaining({ tenant: 'globex', name: 'Globex bolt' })]);
        expect(await readProductViews(db, schema, 'acme', [])).toEqual(new Map());
      }));
});
