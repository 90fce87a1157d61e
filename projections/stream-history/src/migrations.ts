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
    name: '001_stream_events',
    async up(db, schema) {
      await db.schema.withSchema(schema).createTable('stream_events', (t) => {
        t.text('tenant').notNullable();
        t.text('context').notNullable();
        // Byte order whatever the database's collation, as the stream ids are keys on the log.
        t.specificType('stream_id', 'text COLLATE "C"').notNullable();
        t.integer('version').notNullable();
        t.text('event_id').notNullable();
        t.integer('partition').notNullable();
        t.bigInteger('offset').notNullable();
        // As the event carries them: the audit shows what was written, not a reformatting.
        t.text('time').notNullable();
        t.text('type').notNullable();
        t.text('actor').notNullable();
        t.text('on_behalf_of');
        t.text('source_system').notNullable();
        t.text('source_timestamp').notNullable();
        t.text('correlation_id').notNullable();
        t.text('causation_id').notNullable();
        t.jsonb('payload').notNullable().comment('decoded and upcast to the newest shape of its type');
        t.text('hash').notNullable();
        t.text('prev_hash').notNullable();
        // A page of a stream's history is a range of this key.
        t.primary(['tenant', 'context', 'stream_id', 'version']);
      });
    },
    async down(db, schema) {
      await db.schema.withSchema(schema).dropTable('stream_events');
    },
  },
  // The query-api reads as a role that is not the owner: it sees the rows of the tenant it set, no others.
  tenantRowSecurityMigration('002_tenant_row_security', ['stream_events']),
  {
    name: '003_stream_states',
    async up(db, schema) {
      await db.schema.withSchema(schema).createTable('stream_states', (t) => {
        t.text('tenant').notNullable();
        t.text('context').notNullable();
        t.specificType('stream_id', 'text COLLATE "C"').notNullable();
        t.integer('version').notNullable();
        // The event's time as it carries it (the answer's `at`), and as an instant to search by.
        t.text('time').notNullable();
        t.timestamp('at', { useTz: true }).notNullable();
        t.jsonb('state').notNullable().comment("the decider's state after the version, as evolve made it");
        t.primary(['tenant', 'context', 'stream_id', 'version']);
      });
    },
    async down(db, schema) {
      await db.schema.withSchema(schema).dropTable('stream_states');
    },
  },
  tenantRowSecurityMigration('004_stream_states_row_security', ['stream_states']),
];

export function streamHistoryMigrations(schema: string): Knex.MigrationSource<Migration> {
  return {
    getMigrations: async () => migrations,
    getMigrationName: (m) => m.name,
    getMigration: async (m) => ({ up: (db: Knex) => m.up(db, schema), down: (db: Knex) => m.down(db, schema) }),
  };
}
