import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printSchema } from 'graphql';
import { createGraphqlSchema } from './schema';

/** Where the printed schema is committed (the package root). */
export const SCHEMA_FILE = join(__dirname, '..', '..', 'schema.graphql');

export const printedSchema = (): string => `${printSchema(createGraphqlSchema())}\n`;

// `npm run graphql:schema -w @verity/query-api` rewrites the committed file.
if (require.main === module) {
  writeFileSync(SCHEMA_FILE, printedSchema());
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}
