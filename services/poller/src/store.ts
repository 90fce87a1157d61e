import type { PollerSettings, RecordKind } from '@verity/connector-poller';
import type { SealedText } from '@verity/core';
import type { Pool } from 'pg';

/** A source's configuration as stored: the credential sealed, with its type in clear for listings. */
export interface StoredSource {
  tenant: string;
  source: string;
  url: string;
  intervalMs: number;
  pageSize: number;
  kinds: RecordKind[];
  credential: (SealedText & { type: 'bearer' | 'basic' }) | null;
  updatedAt: string;
}

interface SourceRow {
  tenant: string;
  source: string;
  url: string;
  interval_ms: number;
  page_size: number;
  kinds: RecordKind[];
  credential: StoredSource['credential'];
  updated_at: Date;
}

const sourceOf = (row: SourceRow): StoredSource => ({
  tenant: row.tenant,
  source: row.source,
  url: row.url,
  intervalMs: row.interval_ms,
  pageSize: row.page_size,
  kinds: row.kinds,
  credential: row.credential,
  updatedAt: row.updated_at.toISOString(),
});

/** The poller's tables: configurations, cursors, checksums and runs, in the service's schema. */
export class PollerStore {
  constructor(
    private readonly db: Pool,
    private readonly schema: string,
  ) {}

  private table(name: string): string {
    return `"${this.schema}".${name}`;
  }

  /**
   * Whether the source ($1, $2) is still configured: a poll that ends after its source was
   * removed leaves no cursor or checksums behind, so a source set again starts from a full read.
   */
  private get configured(): string {
    return `EXISTS (SELECT 1 FROM ${this.table('poller_sources')} WHERE tenant = $1 AND source = $2)`;
  }

  async saveSource(
    tenant: string,
    source: string,
    settings: Omit<PollerSettings, 'credential'>,
    credential: StoredSource['credential'],
    now: Date,
  ): Promise<StoredSource> {
    const { rows } = await this.db.query<SourceRow>(
      `INSERT INTO ${this.table('poller_sources')} (tenant, source, url, interval_ms, page_size, kinds, credential, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (tenant, source) DO UPDATE SET url = $3, interval_ms = $4, page_size = $5, kinds = $6,
         credential = $7, updated_at = $8
       RETURNING *`,
      [
        tenant,
        source,
        settings.url,
        settings.intervalMs,
        settings.pageSize,
        JSON.stringify(settings.kinds),
        credential === null ? null : JSON.stringify(credential),
        now,
      ],
    );
    // A changed configuration (a new URL, a credential that was missing) is polled at once.
    await this.db.query(`DELETE FROM ${this.table('poller_runs')} WHERE tenant = $1 AND source = $2`, [tenant, source]);
    return sourceOf(rows[0]!);
  }

  /** Every source of a tenant, or of every tenant (what the pollers run). */
  async sources(tenant?: string): Promise<StoredSource[]> {
    const { rows } = await this.db.query<SourceRow>(
      `SELECT * FROM ${this.table('poller_sources')} WHERE $1::text IS NULL OR tenant = $1 ORDER BY tenant, source`,
      [tenant ?? null],
    );
    return rows.map(sourceOf);
  }

  async source(tenant: string, source: string): Promise<StoredSource | undefined> {
    const { rows } = await this.db.query<SourceRow>(
      `SELECT * FROM ${this.table('poller_sources')} WHERE tenant = $1 AND source = $2`,
      [tenant, source],
    );
    return rows[0] && sourceOf(rows[0]);
  }

  /** Removes a source with its cursors and checksums, so one set again starts from a full read. */
  async removeSource(tenant: string, source: string): Promise<boolean> {
    const client = await this.db.connect();
    try {
      await client.query('BEGIN');
      const removed = await client.query(
        `DELETE FROM ${this.table('poller_sources')} WHERE tenant = $1 AND source = $2`,
        [tenant, source],
      );
      for (const table of ['poller_cursors', 'poller_records', 'poller_runs'])
        await client.query(`DELETE FROM ${this.table(table)} WHERE tenant = $1 AND source = $2`, [tenant, source]);
      await client.query('COMMIT');
      return (removed.rowCount ?? 0) > 0;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Claims the source's next poll: true, and the start recorded, when the last one started at
   * least an interval ago. Atomic, so of instances asking at once one wins.
   */
  async claimRun(tenant: string, source: string, intervalMs: number, now: Date): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `INSERT INTO ${this.table('poller_runs')} AS r (tenant, source, started_at) VALUES ($1, $2, $3)
       ON CONFLICT (tenant, source) DO UPDATE SET started_at = $3
       WHERE r.started_at <= $3::timestamptz - make_interval(secs => $4::double precision / 1000)`,
      [tenant, source, now, intervalMs],
    );
    return (rowCount ?? 0) > 0;
  }

  async cursor(tenant: string, source: string, kind: RecordKind): Promise<string | undefined> {
    const { rows } = await this.db.query<{ updated_since: string | null }>(
      `SELECT updated_since FROM ${this.table('poller_cursors')} WHERE tenant = $1 AND source = $2 AND kind = $3`,
      [tenant, source, kind],
    );
    return rows[0]?.updated_since ?? undefined;
  }

  async saveCursor(tenant: string, source: string, kind: RecordKind, updatedSince: string): Promise<void> {
    await this.db.query(
      `INSERT INTO ${this.table('poller_cursors')} (tenant, source, kind, updated_since)
       SELECT $1, $2, $3, $4 WHERE ${this.configured}
       ON CONFLICT (tenant, source, kind) DO UPDATE SET updated_since = $4`,
      [tenant, source, kind, updatedSince],
    );
  }

  /** The checksums last sent of the records named, by key. */
  async checksums(tenant: string, source: string, kind: RecordKind, keys: string[]): Promise<Map<string, string>> {
    if (keys.length === 0) return new Map();
    const { rows } = await this.db.query<{ record_key: string; checksum: string }>(
      `SELECT record_key, checksum FROM ${this.table('poller_records')}
       WHERE tenant = $1 AND source = $2 AND kind = $3 AND record_key = ANY($4)`,
      [tenant, source, kind, keys],
    );
    return new Map(rows.map((r) => [r.record_key, r.checksum]));
  }

  /** Records whose commands are durable in the log: their checksums are now what was sent. */
  async saveChecksums(
    tenant: string,
    source: string,
    kind: RecordKind,
    records: readonly { key: string; checksum: string; updatedAt: string }[],
  ): Promise<void> {
    if (records.length === 0) return;
    await this.db.query(
      `INSERT INTO ${this.table('poller_records')} (tenant, source, kind, record_key, checksum, updated_at)
       SELECT $1, $2, $3, * FROM unnest($4::text[], $5::text[], $6::text[]) WHERE ${this.configured}
       ON CONFLICT (tenant, source, kind, record_key) DO UPDATE SET checksum = EXCLUDED.checksum,
         updated_at = EXCLUDED.updated_at`,
      [
        tenant,
        source,
        kind,
        records.map((r) => r.key),
        records.map((r) => r.checksum),
        records.map((r) => r.updatedAt),
      ],
    );
  }
}
