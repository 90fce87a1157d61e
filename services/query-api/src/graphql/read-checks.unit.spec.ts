import { execute, parse, subscribe, type ExecutionResult } from 'graphql';
import type { Principal } from '@verity/service-kit';
import { parseRoles } from '@verity/service-kit';
import { ChangeFeed } from './change-feed';
import type { GraphqlContext } from './context';
import { withReadChecks } from './read-checks';
import { createGraphqlSchema } from './schema';
import { SubscriptionQuota } from './subscription-quota';

const principal = (...roles: string[]): Principal => ({
  kind: 'jwt',
  subject: 'client-1',
  tenant: 'acme',
  ...parseRoles(roles),
});
const schema = createGraphqlSchema();

// A refused field is refused before it reads: a context without stores is enough.
const contextOf = (p: Principal, quota = new SubscriptionQuota(20)): GraphqlContext =>
  ({
    principal: p,
    tenant: p.tenant,
    feed: new ChangeFeed(),
    subscriptions: quota,
    now: () => new Date('2026-11-23T10:00:00Z'),
  }) as unknown as GraphqlContext;

const errorsOf = (result: ExecutionResult) =>
  (result.errors ?? []).map((e) => ({ message: e.message, path: e.path, extensions: e.extensions }));

describe('GraphQL read checks', () => {
  it.each([
    ['{ stock(sku: "S-1") { sku } }', 'reader:catalog', 'reader:inventory'],
    ['{ product(sku: "S-1") { sku } }', 'reader:inventory', 'reader:catalog'],
    ['{ priceList(id: "PL-1") { name } }', 'reader:catalog', 'reader:pricing'],
    ['{ authorityRules { field } }', 'reader:catalog', 'reader:sources'],
    ['{ resolveAlias(context: frontend, alias: "a") { canonical } }', 'reader:backend', 'reader:aliases'],
  ])('%s as %s is FORBIDDEN naming %s, HTTP 403', async (query, role, missing) => {
    const result = await execute({ schema, document: parse(query), contextValue: contextOf(principal(role)) });
    expect(errorsOf(result)).toEqual([
      {
        message: `missing permission ${missing}`,
        path: [expect.any(String)],
        extensions: { code: 'FORBIDDEN', missingPermission: missing, http: { status: 403 } },
      },
    ]);
  });

  it('a reader of the alias context a field names passes the check', async () => {
    const result = await execute({
      schema,
      document: parse('{ resolveAlias(context: frontend, alias: "") { canonical } }'),
      contextValue: contextOf(principal('reader:frontend')),
    });
    // Past the permission, the argument is judged.
    expect(errorsOf(result)[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('a subscription is checked before it opens, and counted while open', async () => {
    const quota = new SubscriptionQuota(1);
    const document = parse('subscription { stockChanged(sku: "S-1") { sku } }');
    const refused = (await subscribe({
      schema,
      document,
      contextValue: contextOf(principal('reader:catalog'), quota),
    })) as ExecutionResult;
    expect(errorsOf(refused)[0]?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      missingPermission: 'reader:inventory',
    });
    expect(quota.openOf('jwt:acme:client-1')).toBe(0);

    const reader = contextOf(principal('reader:inventory'), quota);
    const open = (await subscribe({ schema, document, contextValue: reader })) as AsyncIterableIterator<unknown>;
    expect(quota.openOf('jwt:acme:client-1')).toBe(1);
    const second = (await subscribe({ schema, document, contextValue: reader })) as ExecutionResult;
    expect(errorsOf(second)[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', http: { status: 429 } });
    await open.return!();
    expect(quota.openOf('jwt:acme:client-1')).toBe(0);
  });

  it('refuses to build a schema with a root field that declares no read permission', () => {
    expect(() => withReadChecks({ Query: { secrets: () => [] } })).toThrow(/Query\.secrets declares no read/);
  });
});
