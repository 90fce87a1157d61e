import type { VerityError } from '@verity/core';
import { SchemaCatalog, defaultSchemasDir, readSchemaFiles } from './schema-catalog';
import { checkCatalogCompatibility } from './schema-compatibility';

/** Outcome of checking a schemas folder; `errors` holds every problem found, not just the first. */
export interface SchemaCheckReport {
  ok: boolean;
  dir: string;
  /** Each event that was read, with its versions. */
  events: Array<{ fullName: string; versions: number[] }>;
  /** `bad_schema_file`, `bad_schema_versions` or `incompatible_schema` errors. */
  errors: VerityError[];
}

/**
 * The gate CI runs before any registry sees a schema (and `verity schemas check`): naming rules,
 * versions from v1 without gaps, and every version able to read all earlier ones.
 */
export function checkSchemas(dir: string = defaultSchemasDir()): SchemaCheckReport {
  const { versions, errors: fileErrors } = readSchemaFiles(dir);
  const catalog = new SchemaCatalog(versions);
  const errors = [...fileErrors, ...checkCatalogCompatibility(catalog)];
  const events = catalog
    .fullNames()
    .map((fullName) => ({ fullName, versions: catalog.versions(fullName).map((v) => v.version) }));
  return { ok: errors.length === 0, dir, events, errors };
}
