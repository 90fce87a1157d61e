import { Client } from 'pg';

/**
 * The benchmark-only database Emmett's event store runs in, on the project's PostgreSQL:
 * `emmett_<sandbox prefix>` (`emmett_bench…`), so it names the run that made it and contains
 * `bench`, which the harness requires before it resets a schema.
 */
export function emmettDatabaseName(sandboxPrefix: string): string {
  const name = `emmett_${sandboxPrefix}`;
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(name) || !name.includes('bench')) {
    throw new RangeError(`not a benchmark database name: ${name}`);
  }
  return name;
}

/** The project's database URL with another database in it: same host, port and credentials. */
export function databaseUrlFor(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export interface BenchDatabase {
  name: string;
  url: string;
  /** Drops the database, closing what is still connected to it; a second call does nothing. */
  drop(): Promise<void>;
}

async function onServer<T>(baseUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: baseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates the database (connecting through the project's own); the name is checked, so it is quoted as is. */
export async function createBenchDatabase(baseUrl: string, sandboxPrefix: string): Promise<BenchDatabase> {
  const name = emmettDatabaseName(sandboxPrefix);
  await onServer(baseUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  let dropped: Promise<void> | undefined;
  return {
    name,
    url: databaseUrlFor(baseUrl, name),
    drop: () =>
      (dropped ??= onServer(baseUrl, async (client) => {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      })),
  };
}
