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
    name: '001_alias_tables',
    async up(db, schema) {
      await db.schema.withSchema(schema).createTable('aliases', (t) => {
        t.text('tenant').notNullable();
        t.text('context').notNullable();
        t.text('alias').notNullable();
        t.text('canonical').notNullable();
        t.text('description');
        t.text('owner').notNullable();
        t.timestamp('expires_at', { useTz: true });
        t.text('status').notNullable().comment('active | inactive (expiry is judged at read time)');
        t.integer('version').notNullable().comment('version of <tenant>/registry that last changed the row');
        t.timestamp('updated_at', { useTz: true }).notNullable();
        t.primary(['tenant', 'context', 'alias']);
        t.index(['tenant', 'context', 'canonical']);
      });
      await db.schema.withSchema(schema).createTable('alias_conflicts', (t) => {
        t.text('tenant').notNullable();
        t.text('conflict_id').notNullable();
        t.text('context').notNullable();
        t.text('alias').notNullable();
        t.text('canonical').notNullable();
        t.text('owner').notNullable();
        t.text('existing_alias');
        t.text('existing_owner');
        t.text('kind').notNullable();
        t.text('status').notNullable().comment('open | accepted | rejected');
        t.timestamp('detected_at', { useTz: true }).notNullable();
        t.timestamp('resolved_at', { useTz: true });
        t.integer('version').notNullable();
        t.primary(['tenant', 'conflict_id']);
        t.index(['tenant', 'status']);
      });
    },
    async down(db, schema) {
      await db.schema.withSchema(schema).dropTable('alias_conflicts');
      await db.schema.withSchema(schema).dropTable('aliases');
    },
  },
  // The query-api reads as a role that is not the owner: it sees the rows of the tenant it set, no others.
  tenantRowSecurityMigration('002_tenant_row_security', ['aliases', 'alias_conflicts']),
];

export function aliasMigrations(schema: string): Knex.MigrationSource<Migration> {
  return {
    getMigrations: async () => migrations,
    getMigrationName: (m) => m.name,
    getMigration: async (m) => ({ up: (db: Knex) => m.up(db, schema), down: (db: Knex) => m.down(db, schema) }),
  };
}
