import { readFileSync } from 'node:fs';
import {
  aliasNotices,
  aliasOfKey,
  ChangeFeed,
  conflictNotices,
  parseNotice,
  productNotices,
  stockNotices,
  type ChangeNotice,
} from './change-feed';
import { printedSchema, SCHEMA_FILE } from './print-schema';

describe('GraphQL schema', () => {
  it('matches the committed services/query-api/schema.graphql (regenerate: npm run graphql:schema -w @verity/query-api)', () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    expect({ file: 'services/query-api/schema.graphql', schema: committed }).toEqual({
      file: 'services/query-api/schema.graphql',
      schema: printedSchema(),
    });
  });
});

describe('change notices', () => {
  it('parses the projectors notices and ignores anything else', () => {
    expect(
      parseNotice(
        '{"context":"inventory","tenant":"acme","sku":"S-1","key":"p:inventory:stock:v2:acme:S-1","version":3}',
      ),
    ).toEqual({
      context: 'inventory',
      tenant: 'acme',
      sku: 'S-1',
      key: 'p:inventory:stock:v2:acme:S-1',
      version: 3,
    });
    expect(
      parseNotice(
        '{"context":"pricing","tenant":"acme","priceListId":"PL-1","sku":"S-1","key":"p:pricing:quote:acme:PL-1:S-1","version":4}',
      ),
    ).toEqual({
      context: 'pricing',
      tenant: 'acme',
      priceListId: 'PL-1',
      sku: 'S-1',
      key: 'p:pricing:quote:acme:PL-1:S-1',
      version: 4,
    });
    expect(
      parseNotice(
        '{"context":"conflicts","tenant":"acme","conflictId":"conflict-1","sku":"S-1","conflictContext":"inventory","key":"p:sources:conflict:acme:conflict-1","version":5}',
      ),
    ).toEqual({
      context: 'conflicts',
      tenant: 'acme',
      conflictId: 'conflict-1',
      sku: 'S-1',
      conflictContext: 'inventory',
      key: 'p:sources:conflict:acme:conflict-1',
      version: 5,
    });
    // A notice that does not hold what its read model's notices hold is none.
    expect(
      parseNotice(
        '{"context":"conflicts","tenant":"acme","conflictId":7,"conflictContext":null,"key":"k","version":5}',
      ),
    ).toBeUndefined();
    expect(parseNotice('not json')).toBeUndefined();
    expect(parseNotice('{"context":"inventory"}')).toBeUndefined();
  });

  it('lets a product subscription see its tenant and SKU of the catalog only', () => {
    const accept = productNotices('acme', 'S-1');
    const notice: ChangeNotice = { context: 'catalog', tenant: 'acme', sku: 'S-1', key: 'k', version: 2 };
    expect(accept(notice)).toBe(true);
    expect(accept({ ...notice, tenant: 'globex' })).toBe(false);
    expect(accept({ ...notice, sku: 'S-2' })).toBe(false);
    expect(accept({ ...notice, context: 'inventory' })).toBe(false);
    expect(accept({ ...notice, context: 'conflicts', conflictId: 'conflict-1', conflictContext: 'catalog' })).toBe(
      false,
    );
  });

  it('lets a conflict subscription see its tenant conflicts, of the SKU and context when given', () => {
    const notice: ChangeNotice = {
      context: 'conflicts',
      tenant: 'acme',
      conflictId: 'conflict-1',
      sku: 'S-1',
      conflictContext: 'catalog',
      key: 'k',
      version: 3,
    };
    const all = conflictNotices('acme', {});
    expect(all(notice)).toBe(true);
    expect(all({ ...notice, conflictContext: 'inventory', sku: 'S-9' })).toBe(true);
    expect(all({ ...notice, tenant: 'globex' })).toBe(false);
    expect(all({ context: 'catalog', tenant: 'acme', sku: 'S-1', key: 'k', version: 3 })).toBe(false);
    // A conflicts notice that names no conflict never reaches a filter: it does not parse.
    const { conflictId: _, ...unnamed } = notice;
    expect(parseNotice(JSON.stringify(unnamed))).toBeUndefined();
    expect(conflictNotices('acme', { sku: 'S-1' })(notice)).toBe(true);
    expect(conflictNotices('acme', { sku: 'S-2' })(notice)).toBe(false);
    expect(conflictNotices('acme', { context: 'catalog' })(notice)).toBe(true);
    expect(conflictNotices('acme', { context: 'inventory' })(notice)).toBe(false);
    expect(conflictNotices('acme', { sku: 'S-1', context: 'inventory' })(notice)).toBe(false);
  });

  it('lets a stock subscription see its tenant and SKU of the inventory only', () => {
    const accept = stockNotices('acme', 'S-1');
    const notice: ChangeNotice = { context: 'inventory', tenant: 'acme', sku: 'S-1', key: 'k', version: 2 };
    expect(accept(notice)).toBe(true);
    expect(accept({ ...notice, tenant: 'globex' })).toBe(false);
    expect(accept({ ...notice, sku: 'S-2' })).toBe(false);
    expect(accept({ ...notice, context: 'catalog' })).toBe(false);
  });

  it('lets an alias subscription see its tenant aliases, of one alias context when given', () => {
    const notice: ChangeNotice = {
      context: 'aliases',
      tenant: 'acme',
      key: 'p:aliases:resolve:acme:frontend:a',
      version: 4,
    };
    expect(aliasNotices('p', 'acme')(notice)).toBe(true);
    expect(aliasNotices('p', 'acme', 'frontend')(notice)).toBe(true);
    expect(aliasNotices('p', 'acme', 'backend')(notice)).toBe(false);
    expect(aliasNotices('p', 'globex')({ ...notice, tenant: 'globex' })).toBe(false);
    expect(aliasNotices('p', 'acme')({ ...notice, key: 'p:inventory:stock:v2:acme:S-1' })).toBe(false);
  });

  it('finds the alias context and alias in an aliases key, aliases with colons included, only for the tenant', () => {
    expect(aliasOfKey('p', 'acme', 'p:aliases:resolve:acme:frontend:a:b')).toEqual({
      context: 'frontend',
      alias: 'a:b',
    });
    expect(aliasOfKey('p', 'globex', 'p:aliases:resolve:acme:frontend:x')).toBeUndefined();
    expect(aliasOfKey('p', 'acme', 'q:aliases:resolve:acme:frontend:x')).toBeUndefined();
  });

  it('delivers to matching subscriptions only and ends them on close', async () => {
    const feed = new ChangeFeed();
    const acme = feed.subscribe((n) => n.tenant === 'acme');
    const first = acme.next();
    feed.publish({ context: 'inventory', tenant: 'globex', sku: 'S-1', key: 'k', version: 1 });
    feed.publish({ context: 'inventory', tenant: 'acme', sku: 'S-1', key: 'k', version: 2 });
    expect((await first).value).toMatchObject({ tenant: 'acme', version: 2 });
    const pending = acme.next();
    feed.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(feed.size).toBe(0);
  });

  it('listens from subscribe() on, before the first next(), and stops listening on return()', async () => {
    const feed = new ChangeFeed();
    const stream = feed.subscribe(() => true);
    feed.publish({ context: 'inventory', tenant: 'acme', sku: 'S-1', key: 'k', version: 1 });
    expect((await stream.next()).value).toMatchObject({ version: 1 });
    await stream.return!();
    expect(feed.size).toBe(0);
  });
});
