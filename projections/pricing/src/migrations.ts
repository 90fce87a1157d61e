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
    name: '001_price_lists_and_rules',
    async up(db, schema) {
      await db.schema.withSchema(schema).createTable('price_lists', (t) => {
        t.text('tenant').notNullable();
        t.text('price_list_id').notNullable();
        t.text('name').notNullable();
        t.text('currency').notNullable().comment('ISO 4217');
        t.integer('version').notNullable().comment('stream version of <tenant>/<priceListId> last applied');
        t.timestamp('updated_at', { useTz: true }).notNullable();
        t.primary(['tenant', 'price_list_id']);
      });
      await db.schema.withSchema(schema).createTable('price_rules', (t) => {
        t.text('tenant').notNullable();
        t.text('price_list_id').notNullable();
        t.integer('version')
          .notNullable()
          .comment('stream version of the event that set the rule: unique within the list');
        t.text('kind').notNullable().comment('base | customer | tiers');
        t.text('sku').notNullable();
        t.text('customer_id');
        t.bigInteger('unit_price').comment('minor units; null for tiers');
        t.jsonb('tiers').comment('[{minQuantity, unitPrice}] for kind tiers');
        t.timestamp('effective_from', { useTz: true }).notNullable();
        t.timestamp('effective_to', { useTz: true });
        t.primary(['tenant', 'price_list_id', 'version']);
        t.index(['tenant', 'price_list_id', 'sku'], 'price_rules_tenant_list_sku');
      });
      await db.raw(
        `ALTER TABLE ??.price_rules ADD CONSTRAINT price_rules_kind_check CHECK (kind IN ('base', 'customer', 'tiers'))`,
        [schema],
      );
    },
    async down(db, schema) {
      await db.schema.withSchema(schema).dropTable('price_rules');
      await db.schema.withSchema(schema).dropTable('price_lists');
    },
  },
  // The query-api reads as a role that is not the owner: it sees the rows of the tenant it set, no others.
  tenantRowSecurityMigration('002_tenant_row_security', ['price_lists', 'price_rules']),
];

export function pricingMigrations(schema: string): Knex.MigrationSource<Migration> {
  return {
    getMigrations: async () => migrations,
    getMigrationName: (m) => m.name,
    getMigration: async (m) => ({ up: (db: Knex) => m.up(db, schema), down: (db: Knex) => m.down(db, schema) }),
  };
}
