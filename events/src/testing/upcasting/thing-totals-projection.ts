import type { Knex } from 'knex';
import type { Projection } from '../../projector/projection';
import { THINGS_CONTEXT, THINGS_COUNTED, THINGS_REMOVED } from './things-context';

export const THING_TOTALS_TABLE = 'thing_totals';

export interface ThingTotalRow {
  tenant: string;
  thing: string;
  /** bigint: pg returns it as a string. */
  units: string;
  /** Packaging of the last count: `dozen` only if the v1 event went through the upcaster. */
  packaging: string;
  version: number;
}

const migration = {
  name: '001_thing_totals',
  up: (db: Knex, schema: string) =>
    db.schema.withSchema(schema).createTable(THING_TOTALS_TABLE, (t) => {
      t.text('tenant').notNullable();
      t.text('thing').notNullable();
      t.bigInteger('units').notNullable();
      t.text('packaging').notNullable();
      t.integer('version').notNullable();
      t.primary(['tenant', 'thing']);
    }),
};

/** Test read model: units of each thing, built from events in their newest (v2) shape. */
export const thingTotalsProjection: Projection = {
  name: 'thing-totals',
  contexts: [THINGS_CONTEXT],
  migrations: (schema) => ({
    getMigrations: async () => [migration],
    getMigrationName: (m) => (m as typeof migration).name,
    getMigration: async (m) => ({ up: (db: Knex) => (m as typeof migration).up(db, schema), down: async () => undefined }),
  }),
  async apply({ db, schema }, { type, metadata, data }) {
    const { thing, units, packaging } = data as { thing: string; units: number; packaging?: string };
    const delta = type === THINGS_COUNTED ? units : type === THINGS_REMOVED ? -units : 0;
    await db
      .withSchema(schema)
      .table(THING_TOTALS_TABLE)
      .insert({ tenant: metadata.tenant, thing, units: delta, packaging: packaging ?? '', version: metadata.streamVersion })
      .onConflict(['tenant', 'thing'])
      .merge({
        units: db.raw('?? + ?', [`${THING_TOTALS_TABLE}.units`, delta]),
        // Removals say nothing about packaging: keep the last count's.
        packaging: db.raw('coalesce(?, ??)', [packaging ?? null, `${THING_TOTALS_TABLE}.packaging`]),
        version: metadata.streamVersion,
      });
    return [];
  },
  // No cache for a test read model.
  publish: async () => undefined,
};
