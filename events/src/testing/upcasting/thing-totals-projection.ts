import type { Knex } from 'knex';
import type { ProjectedEventOf, ProjectionOf } from '../../projector/projection';
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

/** The newest shapes of the test context's events (it has no generated types). */
interface ThingsPayloads {
  [THINGS_COUNTED]: { thing: string; units: number; packaging: string };
  [THINGS_REMOVED]: { thing: string; units: number };
}

/** Test read model: units of each thing, built from events in their newest (v2) shape. */
export const thingTotalsProjection: ProjectionOf<ProjectedEventOf<ThingsPayloads>, never> = {
  name: 'thing-totals',
  contexts: [THINGS_CONTEXT],
  events: [THINGS_COUNTED, THINGS_REMOVED],
  migrations: (schema) => ({
    getMigrations: async () => [migration],
    getMigrationName: (m) => (m as typeof migration).name,
    getMigration: async (m) => ({
      up: (db: Knex) => (m as typeof migration).up(db, schema),
      down: async () => undefined,
    }),
  }),
  async apply({ db, schema }, event) {
    const { metadata } = event;
    const { thing, units } = event.data;
    const delta = event.type === THINGS_COUNTED ? units : -units;
    const packaging = event.type === THINGS_COUNTED ? event.data.packaging : undefined;
    await db
      .withSchema(schema)
      .table(THING_TOTALS_TABLE)
      .insert({
        tenant: metadata.tenant,
        thing,
        units: delta,
        packaging: packaging ?? '',
        version: metadata.streamVersion,
      })
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
