import type { Knex } from 'knex';

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
];

export function stockMigrations(schema: string): Knex.MigrationSource<Migration> {
  return {
    getMigrations: async () => migrations,
    getMigrationName: (m) => m.name,
    getMigration: async (m) => ({ up: (db: Knex) => m.up(db, schema), down: (db: Knex) => m.down(db, schema) }),
  };
}
