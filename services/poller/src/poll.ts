import {
  changeOfRecord,
  mapRecord,
  type MappedRecord,
  type PollerConfig,
  type RecordKind,
} from '@verity/connector-poller';
import {
  commandOfChange,
  type CommandIntake,
  type DeadLetters,
  type SourceChange,
  type SyncMetrics,
} from '@verity/connector-intake';
import { VerityError, type ContextDefinition } from '@verity/core';
import type { Logger } from '@verity/events';
import { fetchPage, type SourceClientOptions } from './source-client';
import type { PollerStore } from './store';

export interface PollDeps {
  store: PollerStore;
  intake: CommandIntake;
  deadLetters: DeadLetters;
  contexts: readonly ContextDefinition[];
  sync: SyncMetrics;
  client: SourceClientOptions;
  logger: Logger;
}

/** What one poll of one kind did. */
export interface KindResult {
  kind: RecordKind;
  pages: number;
  submitted: number;
  skipped: number;
  deadLettered: number;
}

/** A record, or why it cannot become a command. */
type Mapped = { record: MappedRecord; change: SourceChange } | { failed: VerityError; raw: unknown };

/** The newest of two ISO instants (normalised by the mapping, so they compare as strings). */
const newer = (a: string | undefined, b: string): string => (a === undefined || b > a ? b : a);

/**
 * Reads a kind's records changed since its cursor, page by page, and appends a command for each
 * whose checksum differs from the one last sent. Checksums are saved once their commands are
 * durable, the cursor once every page is read: a poll cut short is read again from the old
 * cursor, and what it had sent is recognised by checksum (and, were that lost, by command id).
 */
export async function pollKind(deps: PollDeps, config: PollerConfig, kind: RecordKind): Promise<KindResult> {
  const { store } = deps;
  const { tenant, source } = config;
  const labels = { ingestor: 'poller', source, tenant };
  const since = await store.cursor(tenant, source, kind);
  const result: KindResult = { kind, pages: 0, submitted: 0, skipped: 0, deadLettered: 0 };
  let newest = since;
  let page: string | undefined;
  do {
    const answer = await fetchPage(
      {
        url: config.url,
        kind,
        pageSize: config.pageSize,
        ...(since === undefined ? {} : { updatedSince: since }),
        ...(page === undefined ? {} : { page }),
        ...(config.credential ? { credential: config.credential } : {}),
      },
      deps.client,
    );
    result.pages += 1;
    const records = new Map<string, MappedRecord>();
    // The record as the source answered it, by key: what a dead letter keeps for a replay.
    const raws = new Map<string, unknown>();
    const mapped: Mapped[] = [];
    for (const raw of answer.items) {
      try {
        const record = mapRecord(kind, raw);
        // The last of a key in a page wins, as the source's own order says.
        records.set(record.key, record);
        raws.set(record.key, raw);
      } catch (error) {
        if (!(error instanceof VerityError)) throw error;
        mapped.push({ failed: error, raw });
      }
    }
    const known = await store.checksums(tenant, source, kind, [...records.keys()]);
    for (const record of records.values()) {
      newest = newer(newest, record.updatedAt);
      deps.sync.seen(labels, record.updatedAt);
      if (known.get(record.key) === record.checksum) {
        result.skipped += 1;
        continue;
      }
      const change = changeOfRecord(config, record, known.has(record.key));
      try {
        // Checked one by one, so one bad record goes to dead letters and the rest are sent.
        commandOfChange(deps.contexts, change);
        mapped.push({ record, change });
      } catch (error) {
        if (!(error instanceof VerityError)) throw error;
        mapped.push({ failed: error, raw: raws.get(record.key) });
      }
    }
    const sendable = mapped.filter((m): m is Extract<Mapped, { record: MappedRecord }> => 'record' in m);
    await deps.intake.submit(sendable.map((m) => m.change));
    await store.saveChecksums(
      tenant,
      source,
      kind,
      sendable.map((m) => m.record),
    );
    for (const m of mapped) {
      if (!('failed' in m)) continue;
      await deps.deadLetters.write({
        ingestor: 'poller',
        source,
        tenant,
        code: m.failed.code,
        reason: m.failed.message,
        position: `${kind}${page === undefined ? '' : ` page ${page}`}`,
        original: JSON.stringify(m.raw),
      });
    }
    result.submitted += sendable.length;
    result.deadLettered += mapped.length - sendable.length;
    deps.sync.count(labels, 'submitted', sendable.length);
    page = answer.nextPage;
  } while (page !== undefined);
  deps.sync.count(labels, 'skipped_unchanged', result.skipped);
  deps.sync.count(labels, 'dead_lettered', result.deadLettered);
  if (newest !== undefined && newest !== since) await store.saveCursor(tenant, source, kind, newest);
  return result;
}
