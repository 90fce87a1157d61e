import { Client } from 'pg';
import { startTestPlatform, type TestPlatform } from './testing/test-platform';

/** Every read-model table with tenant data, in this order: a new one must be added here, and get the policy. */
const TENANT_TABLES = [
  'alias_conflicts',
  'alias_resolutions',
  'aliases',
  'authority_rules',
  'command_outcomes',
  'price_lists',
  'price_rules',
  'products',
  'reservations',
  'source_conflicts',
  'stock_items',
  'stock_levels',
  'stream_events',
  'stream_states',
  'sync_dead_letters',
  'sync_sources',
];
const TENANTS = ['rls-a', 'rls-b'];
/** The query-api's VERITY_QUERY_DATABASE_URL by default (the CLI may not import the query-api to parse it). */
const LOCAL_READER_URL = 'postgres://verity_reader:verity_reader@127.0.0.1:5442/verity';

interface Column {
  table_name: string;
  column_name: string;
  data_type: string;
}

/**
 * The proof the issue asks for, in raw SQL as the query-api's role: the projector (the owner)
 * migrates the schema and grants the reader; rows of two tenants are written as the owner; the
 * reader then sees none of them without a tenant, and one tenant's with it.
 */
describe("row-level security: the query-api's role sees the tenant its transaction set, or nothing", () => {
  let platform: TestPlatform;
  let reader: Client;
  let readerUser: string;

  const table = (name: string): string => `"${platform.schema}"."${name}"`;

  /** One row per tenant in every tenant table, whatever its columns: a value of each column's type, CHECK lists honoured. */
  async function writeRowsAsOwner(): Promise<void> {
    const columns = (
      await platform.db.raw<{ rows: Column[] }>(
        'SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = ? ORDER BY ordinal_position',
        [platform.schema],
      )
    ).rows;
    const checks = (
      await platform.db.raw<{ rows: { table: string; def: string }[] }>(
        `SELECT c.relname AS table, pg_get_constraintdef(k.oid) AS def
           FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
          WHERE k.contype = 'c' AND k.connamespace = ?::regnamespace`,
        [platform.schema],
      )
    ).rows;
    // `CHECK ((status = ANY (ARRAY['active'::text, ...])))`: the table's column and its first allowed value.
    const allowed = new Map(
      checks.flatMap(({ table, def }) => {
        const m = /\((\w+)\)?(?:::\w+)? = ANY \(+ARRAY\['([^']*)'/.exec(def);
        return m ? [[`${table}.${m[1]!}`, m[2]!] as const] : [];
      }),
    );
    const valueOf = (c: Column, tenant: string): unknown => {
      if (c.column_name === 'tenant') return tenant;
      switch (c.data_type) {
        case 'integer':
        case 'bigint':
          return 1;
        case 'timestamp with time zone':
          return new Date();
        case 'jsonb':
          return JSON.stringify({});
        case 'boolean':
          return true;
        default:
          return allowed.get(`${c.table_name}.${c.column_name}`) ?? `${tenant}-${c.column_name}`;
      }
    };
    for (const name of TENANT_TABLES) {
      const own = columns.filter((c) => c.table_name === name);
      for (const tenant of TENANTS)
        await platform.db
          .withSchema(platform.schema)
          .table(name)
          .insert(Object.fromEntries(own.map((c) => [c.column_name, valueOf(c, tenant)])));
    }
  }

  beforeAll(async () => {
    // The projector alone: it migrates every read model and the outcomes table, then grants the reader.
    platform = await startTestPlatform(['projector']);
    const url = platform.env.VERITY_QUERY_DATABASE_URL ?? LOCAL_READER_URL;
    readerUser = decodeURIComponent(new URL(url).username);
    reader = new Client({ connectionString: url });
    await reader.connect();
    await writeRowsAsOwner();
  });
  afterAll(async () => {
    await reader?.end();
    await platform?.stop();
  });

  it('every table with a tenant column has row-level security (not forced on the owner); the reader neither owns them nor bypasses it', async () => {
    const tables = await platform.db.raw<{
      rows: { relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean; owner: string }[];
    }>(
      `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner) AS owner
         FROM pg_class c JOIN information_schema.columns col
           ON col.table_schema = c.relnamespace::regnamespace::text AND col.table_name = c.relname
        WHERE c.relnamespace = ?::regnamespace AND c.relkind = 'r' AND col.column_name = 'tenant'
        ORDER BY c.relname`,
      [platform.schema],
    );
    expect(tables.rows.map((r) => r.relname)).toEqual(TENANT_TABLES);
    for (const row of tables.rows) {
      expect({ table: row.relname, rls: row.relrowsecurity, forced: row.relforcerowsecurity }).toEqual({
        table: row.relname,
        rls: true,
        forced: false,
      });
      expect(row.owner).not.toBe(readerUser);
    }
    const role = await reader.query<{ rolsuper: boolean; rolbypassrls: boolean }>(
      'SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user',
    );
    expect(role.rows).toEqual([{ rolsuper: false, rolbypassrls: false }]);
  });

  it('with the tenant unset, a SELECT on each table returns no rows although the owner sees both tenants', async () => {
    for (const name of TENANT_TABLES) {
      const owned = await platform.db.raw<{ rows: { n: number }[] }>(`SELECT count(*)::int AS n FROM ${table(name)}`);
      const seen = await reader.query(`SELECT * FROM ${table(name)}`);
      expect({ table: name, owner: owned.rows[0]!.n, reader: seen.rows.length }).toEqual({
        table: name,
        owner: 2,
        reader: 0,
      });
    }
  });

  it("with tenant A set by SET LOCAL, only A's rows, even with no WHERE; after the commit, none again", async () => {
    for (const name of TENANT_TABLES) {
      await reader.query('BEGIN READ ONLY');
      await reader.query(`SELECT set_config('verity.tenant', $1, true)`, ['rls-a']);
      const seen = await reader.query<{ tenant: string }>(`SELECT tenant FROM ${table(name)}`);
      const other = await reader.query(`SELECT * FROM ${table(name)} WHERE tenant = $1`, ['rls-b']);
      await reader.query('COMMIT');
      expect({ table: name, tenants: seen.rows.map((r) => r.tenant), other: other.rows.length }).toEqual({
        table: name,
        tenants: ['rls-a'],
        other: 0,
      });
      const after = await reader.query(`SELECT * FROM ${table(name)}`);
      expect({ table: name, after: after.rows.length }).toEqual({ table: name, after: 0 });
    }
  });

  it('the reader can change no row', async () => {
    for (const name of TENANT_TABLES) {
      await expect(reader.query(`DELETE FROM ${table(name)}`)).rejects.toThrow(/permission denied/);
    }
  });
});
