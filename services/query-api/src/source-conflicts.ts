import { GOVERNED_FIELDS, skuSchema } from '@verity/domain';
import {
  CONFLICT_STATUSES,
  decodeConflictCursor,
  listConflicts,
  type ConflictCursor,
  type ConflictStatus,
  type SourceConflictView,
} from '@verity/projection-source-conflicts';
import { cursorParam, enumParam } from './request';
import type { TenantDb } from './tenant-db';

/** The contexts whose fields authority rules govern, hence where conflicts are detected: `catalog`, `inventory`. */
export const CONFLICT_CONTEXTS = [...new Set(GOVERNED_FIELDS.map((field) => field.split('.')[0]!))] as [
  string,
  ...string[],
];
/** Page size of the conflict list, REST `limit` and GraphQL `first`: 1..200, 50 when absent. */
export const DEFAULT_CONFLICT_PAGE = 50;
export const MAX_CONFLICT_PAGE = 200;

/** The conflict list's filters and cursor, shared by `GET /v1/conflicts` and GraphQL `conflicts`. */
export const conflictFilterSchemas = {
  status: enumParam(CONFLICT_STATUSES),
  context: enumParam(CONFLICT_CONTEXTS),
  sku: skuSchema,
  field: enumParam(GOVERNED_FIELDS),
  cursor: cursorParam(decodeConflictCursor, 'not a cursor this list returned'),
};

/** A conflict list request once its parameters are valid. */
export interface ConflictListQuery {
  limit?: number;
  cursor?: ConflictCursor;
  status?: ConflictStatus;
  context?: string;
  sku?: string;
  field?: string;
}

/** One page of the tenant's conflicts, oldest first; `nextCursor` is null on the last page. */
export function readConflictPage(
  deps: { db: TenantDb; schema: string },
  tenant: string,
  { limit, cursor, ...filters }: ConflictListQuery,
): Promise<{ items: SourceConflictView[]; nextCursor: string | null }> {
  return deps.db.read(tenant, (db) =>
    listConflicts(db, deps.schema, tenant, {
      limit: limit ?? DEFAULT_CONFLICT_PAGE,
      ...(cursor ? { after: cursor } : {}),
      ...filters,
    }),
  );
}
