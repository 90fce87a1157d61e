import type { Knex } from 'knex';
import { tenantRowSecurityMigration } from '@verity/events';

export const ALIAS_RESOLUTIONS_TABLE = 'alias_resolutions';

interface Migration {
  name: string;
  up(db: Knex, schema: string): Promise<void>;
  down(db: Knex, schema: string): Promise<void>;
}

/** In order; a published migration is never edited, a change is a new one. */
const migrations: Migration[] = [
  {
    name: '001_alias_resolutions',
    async up(db, schema) {
      await db.schema.withSchema(schema).createTable(ALIAS_RESOLUTIONS_TABLE, (t) => {
        t.text('tenant').notNullable();
        t.text('id').notNullable().comment('the resolution record id: one row however often it is delivered');
        t.timestamp('resolved_at', { useTz: true }).notNullable();
        t.text('context').notNullable();
        t.text('alias').notNullable();
        t.text('canonical').comment('what the alias resolved to; null when the answer was 404');
        t.text('actor').notNullable().comment('JWT sub or API key id of the credential that asked');
        t.text('credential_kind').notNullable();
        t.text('instance').notNullable().comment('the query-api instance that answered');
        t.boolean('consistency_token').notNullable();
        t.primary(['tenant', 'id']);
        // A page of a tenant's log, oldest first, is a range of this index.
        t.index(['tenant', 'resolved_at', 'id'], 'alias_resolutions_by_time');
        // One alias's resolutions.
        t.index(['tenant', 'alias', 'resolved_at'], 'alias_resolutions_by_alias');
        // Pruning's query, across tenants: the oldest first.
        t.index(['resolved_at'], 'alias_resolutions_age');
      });
    },
    async down(db, schema) {
      await db.schema.withSchema(schema).dropTable(ALIAS_RESOLUTIONS_TABLE);
    },
  },
  // The query-api reads as a role that is not the owner: it sees the rows of the tenant it set, no others.
  tenantRowSecurityMigration('002_tenant_row_security', [ALIAS_RESOLUTIONS_TABLE]),
  {
    name: '003_resolution_counts',
    async up(db, schema) {
      await db.schema.withSchema(schema).alterTable(ALIAS_RESOLUTIONS_TABLE, (t) => {
        t.integer('count').notNullable().defaultTo(1).comment('identical answers the row stands for');
        t.timestamp('last_resolved_at', { useTz: true }).comment('the last of them; null: resolved_at');
      });
    },
    async down(db, schema) {
      await db.schema.withSchema(schema).alterTable(ALIAS_RESOLUTIONS_TABLE, (t) => {
        t.dropColumn('count');
        t.dropColumn('last_resolved_at');
      });
    },
  },
];

export function aliasResolutionsMigrations(schema: string): Knex.MigrationSource<Migration> {
  return {
    getMigrations: async () => migrations,
    getMigrationName: (m) => m.name,
    getMigration: async (m) => ({ up: (db: Knex) => m.up(db, schema), down: (db: Knex) => m.down(db, schema) }),
  };
}
