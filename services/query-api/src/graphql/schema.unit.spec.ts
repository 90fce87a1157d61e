import { readFileSync } from 'node:fs';
import { aliasOfKey, ChangeFeed, parseNotice } from './change-feed';
import { printedSchema, SCHEMA_FILE } from './print-schema';

describe('GraphQL schema', () => {
  it('matches the committed services/query-api/schema.graphql (regenerate: npm run graphql:schema -w @verity/query-api)', () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    expect({ file: 'services/query-api/schema.graphql', schema: committed }).toEqual({ file: 'services/query-api/schema.graphql', schema: printedSchema() });
  });
});

describe('change notices', () => {
  it('parses the projectors notices and ignores anything else', () => {
    expect(parseNotice('{"context":"inventory","tenant":"acme","sku":"S-1","key":"p:inventory:stock:v2:acme:S-1","version":3}')).toEqual({
      context: 'inventory',
      tenant: 'acme',
      sku: 'S-1',
      key: 'p:inventory:stock:v2:acme:S-1',
      version: 3,
    });
    expect(parseNotice('{"context":"pricing","tenant":"acme","priceListId":"PL-1","sku":"S-1","key":"p:pricing:quote:acme:PL-1:S-1","version":4}')).toEqual({
      context: 'pricing',
      tenant: 'acme',
      priceListId: 'PL-1',
      sku: 'S-1',
      key: 'p:pricing:quote:acme:PL-1:S-1',
      version: 4,
    });
    expect(parseNotice('not json')).toBeUndefined();
    expect(parseNotice('{"context":"inventory"}')).toBeUndefined();
  });

  it('finds the alias context and alias in an aliases key, aliases with colons included, only for the tenant', () => {
    expect(aliasOfKey('p', 'acme', 'p:aliases:resolve:acme:frontend:a:b')).toEqual({ context: 'frontend', alias: 'a:b' });
    expect(aliasOfKey('p', 'globex', 'p:aliases:resolve:acme:frontend:x')).toBeUndefined();
    expect(aliasOfKey('p', 'acme', 'q:aliases:resolve:acme:frontend:x')).toBeUndefined();
  });

  it('delivers to matching subscriptions only and ends them on close', async () => {
    const feed = new ChangeFeed();
    const acme = feed.subscribe((n) => n.tenant === 'acme');
    const first = acme.next();
    feed.publish({ context: 'inventory', tenant: 'globex', key: 'k', version: 1 });
    feed.publish({ context: 'inventory', tenant: 'acme', key: 'k', version: 2 });
    expect((await first).value).toMatchObject({ tenant: 'acme', version: 2 });
    const pending = acme.next();
    feed.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(feed.size).toBe(0);
  });

  it('listens from subscribe() on, before the first next(), and stops listening on return()', async () => {
    const feed = new ChangeFeed();
    const stream = feed.subscribe(() => true);
    feed.publish({ context: 'inventory', tenant: 'acme', key: 'k', version: 1 });
    expect((await stream.next()).value).toMatchObject({ version: 1 });
    await stream.return!();
    expect(feed.size).toBe(0);
  });
});
