/** The SQLSTATE a `pg` error carries (`code`), if `error` has one. */
export function pgErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** PostgreSQL's undefined_table (42P01): a table its writer has not created yet. */
export const isUndefinedTable = (error: unknown): boolean => pgErrorCode(error) === '42P01';
