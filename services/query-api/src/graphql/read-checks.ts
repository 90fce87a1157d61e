import { GraphQLError } from 'graphql';
import type { Principal } from '@verity/service-kit';
import { missingReadGrant, type ReadContext } from '../read-access';
import type { GraphqlContext } from './context';

/** What a field reads: `read` on `context`, or on the alias context its argument `aliasContextArg` names. */
interface FieldRead {
  context: ReadContext;
  aliasContextArg?: string;
}

/**
 * The context every root field reads, as the REST routes of the same read model require it, and
 * the nested fields that reach into another read model (a product's stock and price). A root
 * field missing here fails the schema's construction: no field can be added unchecked.
 */
const FIELD_READS: Record<'Query' | 'Subscription' | 'Product', Record<string, FieldRead>> = {
  Query: {
    product: { context: 'catalog' },
    products: { context: 'catalog' },
    stock: { context: 'inventory' },
    lowStock: { context: 'inventory' },
    resolveAlias: { context: 'aliases', aliasContextArg: 'context' },
    quote: { context: 'pricing' },
    priceList: { context: 'pricing' },
    conflicts: { context: 'sources' },
    conflict: { context: 'sources' },
    authorityRules: { context: 'sources' },
  },
  Subscription: {
    stockChanged: { context: 'inventory' },
    aliasChanged: { context: 'aliases', aliasContextArg: 'context' },
    priceChanged: { context: 'pricing' },
    productChanged: { context: 'catalog' },
    conflictChanged: { context: 'sources' },
  },
  Product: {
    stock: { context: 'inventory' },
    price: { context: 'pricing' },
  },
};
const ROOTS = new Set(['Query', 'Subscription']);

/** Who holds a subscription: the credential, as its rate limit knows it. */
export const holderOf = (p: Principal): string => `${p.kind}:${p.tenant}:${p.subject}`;

/**
 * A field the credential may not read: GraphQL error `FORBIDDEN` naming the grant missing in
 * `extensions.missingPermission`, with `http.status` 403, which yoga makes the response's
 * status (the highest of its errors); the field is null, the other fields still answer.
 */
function checkRead(principal: Principal, read: FieldRead, args: Record<string, unknown>): void {
  const missing = missingReadGrant(
    principal,
    read.context,
    read.aliasContextArg === undefined ? undefined : args[read.aliasContextArg],
  );
  if (missing)
    throw new GraphQLError(`missing permission ${missing}`, {
      extensions: { code: 'FORBIDDEN', missingPermission: missing, http: { status: 403 } },
    });
}

type Resolve = (parent: unknown, args: Record<string, unknown>, ctx: GraphqlContext, info: unknown) => unknown;
type Subscribe = (
  parent: unknown,
  args: Record<string, unknown>,
  ctx: GraphqlContext,
  info: unknown,
) => AsyncIterableIterator<unknown> | Promise<AsyncIterableIterator<unknown>>;

const checked =
  (read: FieldRead, resolve: Resolve): Resolve =>
  (parent, args, ctx, info) => {
    checkRead(ctx.principal, read, args);
    return resolve(parent, args, ctx, info);
  };

/** A subscription checked like a query, then counted against the credential's open subscriptions. */
const checkedSubscription =
  (read: FieldRead, subscribe: Subscribe): Subscribe =>
  (parent, args, ctx, info) => {
    checkRead(ctx.principal, read, args);
    return ctx.subscriptions.hold(holderOf(ctx.principal), () => subscribe(parent, args, ctx, info));
  };

/** `resolvers` with every field of FIELD_READS checking the credential's grant before it reads. */
export function withReadChecks<M extends Record<string, object>>(resolvers: M): M {
  const wrapped: Record<string, object> = { ...resolvers };
  for (const [type, reads] of Object.entries(FIELD_READS)) {
    const fields = resolvers[type] as Record<string, unknown> | undefined;
    if (!fields) continue;
    const next: Record<string, unknown> = { ...fields };
    for (const [field, resolver] of Object.entries(fields)) {
      const read = reads[field];
      if (!read) {
        if (ROOTS.has(type)) throw new Error(`${type}.${field} declares no read permission (graphql/read-checks.ts)`);
        continue;
      }
      next[field] =
        type === 'Subscription'
          ? {
              ...(resolver as { subscribe: Subscribe }),
              subscribe: checkedSubscription(read, (resolver as { subscribe: Subscribe }).subscribe),
            }
          : checked(read, resolver as Resolve);
    }
    wrapped[type] = next;
  }
  return wrapped as M;
}
