import type { Knex } from 'knex';
import { tenantRowSecurityMigration } from '@verity/events';

interface Migration {
  name: string;
  up(db: Knex, schema: string): Promise<void>;
  down(db: Knex, schema: string): Promise<void>;
}

/** In order; a published migration is never edited, a change is a new one. */
const migrations: Migration[] = [
  {
    name: '001_products',
    async up(db, schema) {
      await db.schema.withSchema(schema).createTable('products', (t) => {
        t.text('tenant').notNullable();
        // Byte order whatever the database's collation: the order list pages and their cursors use.
        t.specificType('sku', 'text COLLATE "C"').notNullable();
        t.text('name').notNullable();
        t.text('description');
        t.text('unit').notNullable();
        t.jsonb('attributes').notNullable().defaultTo('{}');
        t.text('status').notNullable().comment('active | discontinued');
        t.integer('version').notNullable().comment('stream version of <tenant>/<sku> last applied');
        t.timestamp('updated_at', { useTz: true }).notNullable();
        t.primary(['tenant', 'sku']);
      });
      await db.raw(
        `ALTER TABLE ??.products ADD CONSTRAINT products_status_check CHECK (status IN ('active', 'discontinued'))`,
        [schema],
      );
      // Listing by status walks the same (tenant, sku) order as the primary key.
      await db.schema
        .withSchema(schema)
        .alterTable('products', (t) => t.index(['tenant', 'status', 'sku'], 'products_tenant_status_sku'));
    },
    async down(db, schema) {
      await db.schema.withSchema(schema).dropTable('products');
    },
  },
  // The query-api reads as a role that is not the owner: it sees the rows of the tenant it set, no others.
  tenantRowSecurityMigration('002_tenant_row_security', ['products']),
];

export function productMigrations(schema: string): Knex.MigrationSource<Migration> {
  return {
    getMigrations: async () => migrations,
    getMigrationName: (m) => m.name,
    getMigration: async (m) => ({ up: (db: Knex) => m.up(db, schema), down: (db: Knex) => m.down(db, schema) }),
  };
}
