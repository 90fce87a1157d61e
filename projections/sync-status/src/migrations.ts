import type { Knex } from 'knex';
import { tenantRowSecurityMigration } from '@verity/events';

export const SYNC_SOURCES_TABLE = 'sync_sources';
export const SYNC_DEAD_LETTERS_TABLE = 'sync_dead_letters';

interface Migration {
  name: string;
  up(db: Knex, schema: string): Promise<void>;
  down(db: Knex, schema: string): Promise<void>;
}

/** In order; a published migration is never edited, a change is a new one. */
const migrations: Migration[] = [
  {
    name: '001_sync_sources',
    async up(db, schema) {
      await db.schema.withSchema(schema).createTable(SYNC_SOURCES_TABLE, (t) => {
        t.text('tenant').notNullable();
        t.text('source_system').notNullable();
        t.bigInteger('applied').notNullable().comment('events appended from commands of this source');
        t.bigInteger('conflicted').notNullable().comment('changes of this source that lost to an authority rule');
        t.timestamp('last_change_at', { useTz: true }).comment('source time of the newest change applied');
        t.timestamp('last_applied_at', { useTz: true }).comment('when Verity appended that newest change');
        t.primary(['tenant', 'source_system']);
      });
      await db.schema.withSchema(schema).createTable(SYNC_DEAD_LETTERS_TABLE, (t) => {
        t.text('tenant').notNullable().comment('empty when the change named no tenant Verity knows');
        t.text('id').notNullable().comment('the letter id: a hash of what it holds');
        t.text('ingestor').notNullable();
        t.text('source_system').notNullable();
        t.text('code').notNullable();
        t.text('reason').notNullable();
        t.text('position');
        t.timestamp('given_up_at', { useTz: true }).notNullable();
        t.timestamp('replayed_at', { useTz: true });
        t.primary(['tenant', 'id']);
        t.index(['id'], 'sync_dead_letters_id');
      });
    },
    async down(db, schema) {
      await db.schema.withSchema(schema).dropTable(SYNC_DEAD_LETTERS_TABLE);
      await db.schema.withSchema(schema).dropTable(SYNC_SOURCES_TABLE);
    },
  },
  // The query-api reads as a role that is not the owner: it sees the rows of the tenant it set, no others.
  tenantRowSecurityMigration('002_tenant_row_security', [SYNC_SOURCES_TABLE, SYNC_DEAD_LETTERS_TABLE]),
];

export function syncStatusMigrations(schema: string): Knex.MigrationSource<Migration> {
  return {
    getMigrations: async () => migrations,
    getMigrationName: (m) => m.name,
    getMigration: async (m) => ({ up: (db: Knex) => m.up(db, schema), down: (db: Knex) => m.down(db, schema) }),
  };
}
