import type { Knex } from 'knex';
import { tenantRowSecurityMigration } from '../row-security';

export const COMMAND_OUTCOMES_TABLE = 'command_outcomes';

interface Migration {
  name: string;
  up(db: Knex, schema: string): Promise<void>;
  down(db: Knex, schema: string): Promise<void>;
}

/** In order; a published migration is never edited, a change is a new one. */
const migrations: Migration[] = [
  {
    name: '001_command_outcomes',
    async up(db, schema) {
      await db.schema.withSchema(schema).createTable(COMMAND_OUTCOMES_TABLE, (t) => {
        t.text('command_id').primary();
        t.text('tenant').notNullable();
        t.text('stream_id').notNullable();
        t.jsonb('reply').notNullable().comment('the CommandReply, fingerprint included');
        t.timestamp('recorded_at', { useTz: true })
          .notNullable()
          .comment('when the processor wrote the reply (its record timestamp); the window counts from here');
        t.index(['recorded_at'], 'command_outcomes_recorded_at');
      });
    },
    async down(db, schema) {
      await db.schema.withSchema(schema).dropTable(COMMAND_OUTCOMES_TABLE);
    },
  },
  // The query-api reads as a role that is not the owner: it sees the rows of the tenant it set, no others.
  tenantRowSecurityMigration('002_tenant_row_security', [COMMAND_OUTCOMES_TABLE]),
  {
    // The sync status counts a tenant's rejections per source: few rows among many outcomes.
    name: '003_rejections_by_source',
    async up(db, schema) {
      await db.raw(
        `CREATE INDEX command_outcomes_rejected_by_source ON ??.?? (tenant, (reply->>'sourceSystem'))
         WHERE reply->>'status' = 'rejected'`,
        [schema, COMMAND_OUTCOMES_TABLE],
      );
    },
    async down(db, schema) {
      await db.raw('DROP INDEX ??.command_outcomes_rejected_by_source', [schema]);
    },
  },
];

export function commandOutcomesMigrations(schema: string): Knex.MigrationSource<Migration> {
  return {
    getMigrations: async () => migrations,
    getMigrationName: (m) => m.name,
    getMigration: async (m) => ({ up: (db: Knex) => m.up(db, schema), down: (db: Knex) => m.down(db, schema) }),
  };
}
