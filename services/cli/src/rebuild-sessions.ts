import knex, { type Knex } from 'knex';

/** What a pg connection offers the pool's `afterCreate` hook (knex types it as unknown); two statements, two results. */
interface RawConnection {
  query(
    sql: string,
    callback: (error: Error | null, results: { rows: { pid?: number }[] }[] | undefined) => void,
  ): void;
}

/**
 * The PostgreSQL sessions a rebuild applies its batches on, one per partition applied at once,
 * with `synchronous_commit` off: a commit does not wait for its WAL flush (sampled during a
 * rebuild with it on, a fifth of the active sessions were commits waiting on WALWrite or
 * WALSync). Safe for a rebuild: each batch's checkpoint is in its own transaction, so a commit
 * lost to a server crash is applied again on resume, and nobody reads the generation before
 * the switch, whose transaction commits synchronously on another pool. `onSession` is told each
 * session's server process id (the bench reads its CPU).
 */
export function openRebuildSessions(
  databaseUrl: string,
  sessions: number,
  onSession?: (backendPid: number) => void,
): Knex {
  return knex({
    client: 'pg',
    connection: databaseUrl,
    pool: {
      min: 0,
      // One more than the sessions that apply: migrating holds a lock on a connection of its own.
      max: sessions + 1,
      afterCreate: (connection: RawConnection, done: (error: Error | null, connection: RawConnection) => void) =>
        connection.query('SET synchronous_commit = off; SELECT pg_backend_pid() AS pid', (error, results) => {
          const pid = results?.[1]?.rows[0]?.pid;
          if (!error && pid !== undefined) onSession?.(pid);
          done(error, connection);
        }),
    },
  });
}
