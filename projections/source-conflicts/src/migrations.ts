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
    name: '001_source_conflicts',
    async up(db, schema) {
      await db.schema.withSchema(schema).createTable('source_conflicts', (t) => {
        t.text('tenant').notNullable();
        t.text('conflict_id').notNullable();
        t.text('context').notNullable().comment('context of the stream that holds it: catalog | inventory');
        t.text('sku').notNullable();
        t.text('location').comment('set for per-location fields (inventory.onHand)');
        t.text('field').notNullable().comment('<context>.<field>');
        t.text('rule').notNullable().comment('not_owner | older_than_applied');
        t.jsonb('owners').notNullable().comment("the owners the tenant's rule named when detected");
        t.jsonb('current_value').notNullable();
        t.text('current_source_system');
        t.timestamp('current_source_timestamp', { useTz: true });
        t.jsonb('incoming_value').notNullable();
        t.text('incoming_source_system').notNullable();
        t.timestamp('incoming_source_timestamp', { useTz: true }).notNullable();
        t.text('status').notNullable();
        t.text('accepted').comment('current | incoming once resolved');
        t.timestamp('detected_at', { useTz: true }).notNullable();
        t.timestamp('resolved_at', { useTz: true });
        t.integer('version').notNullable().comment('version of the stream event that last changed the row');
        t.primary(['tenant', 'conflict_id']);
        // The list's order (and cursor), with or without a status filter.
        t.index(['tenant', 'detected_at', 'conflict_id'], 'source_conflicts_tenant_detected');
        t.index(['tenant', 'status', 'detected_at', 'conflict_id'], 'source_conflicts_tenant_status_detected');
      });
      await db.raw(
        `ALTER TABLE ??.source_conflicts ADD CONSTRAINT source_conflicts_status_check CHECK (status IN ('open', 'resolved'))`,
        [schema],
      );
      await db.raw(
        `ALTER TABLE ??.source_conflicts ADD CONSTRAINT source_conflicts_accepted_check CHECK (accepted IN ('current', 'incoming'))`,
        [schema],
      );
      await db.schema.withSchema(schema).createTable('authority_rules', (t) => {
        t.text('tenant').notNullable();
        t.text('field').notNullable();
        t.jsonb('owners').notNullable();
        t.integer('version').notNullable().comment('version of <tenant>/authority that set the rule');
        t.timestamp('updated_at', { useTz: true }).notNullable();
        t.primary(['tenant', 'field']);
      });
    },
    async down(db, schema) {
      await db.schema.withSchema(schema).dropTable('authority_rules');
      await db.schema.withSchema(schema).dropTable('source_conflicts');
    },
  },
  // The query-api reads as a role that is not the owner: it sees the rows of the tenant it set, no others.
  tenantRowSecurityMigration('002_tenant_row_security', ['source_conflicts', 'authority_rules']),
];

export function sourceConflictMigrations(schema: string): Knex.MigrationSource<Migration> {
  return {
    getMigrations: async () => migrations,
    getMigrationName: (m) => m.name,
    getMigration: async (m) => ({ up: (db: Knex) => m.up(db, schema), down: (db: Knex) => m.down(db, schema) }),
  };
}
