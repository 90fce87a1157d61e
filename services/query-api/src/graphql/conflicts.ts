import { conflictIdSchema } from '@verity/domain';
import { listAuthorityRules } from '@verity/projection-source-conflicts';
import { readConflict } from '../cached-reads';
import { conflictFilterSchemas, MAX_CONFLICT_PAGE, readConflictPage } from '../source-conflicts';
import { arg, intIn } from './args';
import { conflictNotices, type ChangeNoticeOf } from './change-feed';
import type { GraphqlContext } from './context';

/** GraphQL `conflicts` arguments; `first` and `after` are REST's `limit` and `cursor`. */
export interface ConflictsArgs {
  status?: string | null;
  context?: string | null;
  sku?: string | null;
  field?: string | null;
  first: number;
  after?: string | null;
}

const given = <T>(value: T | null | undefined): value is T => value !== undefined && value !== null;

/** Conflicts between source systems: the readers and parameter rules of `GET /v1/conflicts`, `/v1/conflicts/{id}` and `/v1/sources/authority-rules`; their changes from the projection's notices. */
export const conflictResolvers = {
  Query: {
    conflicts: (_: unknown, args: ConflictsArgs, ctx: GraphqlContext) =>
      readConflictPage(ctx, ctx.tenant, {
        limit: intIn(args.first, 'first', 1, MAX_CONFLICT_PAGE),
        ...(given(args.after) ? { cursor: arg(conflictFilterSchemas.cursor, args.after, 'after') } : {}),
        ...(given(args.status) ? { status: arg(conflictFilterSchemas.status, args.status, 'status') } : {}),
        ...(given(args.context) ? { context: arg(conflictFilterSchemas.context, args.context, 'context') } : {}),
        ...(given(args.sku) ? { sku: arg(conflictFilterSchemas.sku, args.sku, 'sku') } : {}),
        ...(given(args.field) ? { field: arg(conflictFilterSchemas.field, args.field, 'field') } : {}),
      }),
    conflict: async (_: unknown, args: { id: string }, ctx: GraphqlContext) =>
      (await readConflict(ctx, ctx.tenant, arg(conflictIdSchema, args.id, 'id'), ctx.consistency !== undefined))
        .value ?? null,
    authorityRules: (_: unknown, _args: unknown, ctx: GraphqlContext) =>
      ctx.db.read(ctx.tenant, (db) => listAuthorityRules(db, ctx.schema, ctx.tenant)),
  },
  Subscription: {
    conflictChanged: {
      subscribe: (_: unknown, args: { sku?: string | null; context?: string | null }, ctx: GraphqlContext) =>
        ctx.feed.subscribe(
          conflictNotices(ctx.tenant, {
            ...(given(args.sku) ? { sku: arg(conflictFilterSchemas.sku, args.sku, 'sku') } : {}),
            ...(given(args.context) ? { context: arg(conflictFilterSchemas.context, args.context, 'context') } : {}),
          }),
        ),
      resolve: async (n: ChangeNoticeOf<'conflicts'>, _: unknown, ctx: GraphqlContext) =>
        (await readConflict(ctx, ctx.tenant, n.conflictId)).value ?? null,
    },
  },
};
