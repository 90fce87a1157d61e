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
    name: '001_stock_tables',
    async up(db, schema) {
      await db.schema.withSchema(schema).createTable('stock_items', (t) => {
        t.text('tenant').notNullable();
        t.text('sku').notNullable();
        t.integer('version').notNullable().comment('stream version of <tenant>/<sku> last applied');
        t.timestamp('updated_at', { useTz: true }).notNullable();
        t.primary(['tenant', 'sku']);
      });
      await db.schema.withSchema(schema).createTable('stock_levels', (t) => {
        t.text('tenant').notNullable();
        t.text('sku').notNullable();
        t.text('location').notNullable();
        t.bigInteger('on_hand').notNullable().defaultTo(0);
        t.bigInteger('reserved').notNullable().defaultTo(0);
        t.timestamp('updated_at', { useTz: true }).notNullable();
        t.primary(['tenant', 'sku', 'location']);
      });
    },
    async down(db, schema) {
      await db.schema.withSchema(schema).dropTable('stock_levels');
      await db.schema.withSchema(schema).dropTable('stock_items');
    },
  },
  {
    name: '002_buffer_and_reservations',
    async up(db, schema) {
      await db.schema.withSchema(schema).alterTable('stock_levels', (t) => {
        t.bigInteger('buffer').notNullable().defaultTo(0).comment('safety buffer held back from available-to-promise');
        // Lists by location, ordered by SKU.
        t.index(['tenant', 'location', 'sku'], 'stock_levels_tenant_location_sku');
      });
      await db.schema.withSchema(schema).createTable('reservations', (t) => {
        t.text('tenant').notNullable();
        t.text('sku').notNullable();
        t.text('reservation_id').notNullable();
        t.text('location').notNullable();
        t.bigInteger('quantity').notNullable();
        t.timestamp('expires_at', { useTz: true }).notNullable();
        t.text('status').notNullable().comment('open, released, committed or expired');
        t.timestamp('updated_at', { useTz: true }).notNullable();
        t.primary(['tenant', 'sku', 'reservation_id']);
      });
    },
    async down(db, schema) {
      await db.schema.withSchema(schema).dropTable('reservations');
      await db.schema.withSchema(schema).alterTable('stock_levels', (t) => {
        t.dropIndex(['tenant', 'location', 'sku'], 'stock_levels_tenant_location_sku');
        t.dropColumn('buffer');
      });
    },
  },
  // The query-api reads as a role that is not the owner: it sees the rows of the tenant it set, no others.
  tenantRowSecurityMigration('003_tenant_row_security', ['stock_items', 'stock_levels', 'reservations']),
];

export function stockMigrations(schema: string): Knex.MigrationSource<Migration> {
  return {
    getMigrations: async () => migrations,
    getMigrationName: (m) => m.name,
    getMigration: async (m) => ({ up: (db: Knex) => m.up(db, schema), down: (db: Knex) => m.down(db, schema) }),
  };
}
