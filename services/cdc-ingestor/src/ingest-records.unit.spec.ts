import type { DeadLetter, DeadLetters, SourceChange } from '@verity/connector-intake';
import { syncMetrics } from '@verity/connector-intake';
import { contexts } from '@verity/domain';
import { createLogger } from '@verity/events';
import { Registry } from 'prom-client';
import { createRecordIngest } from './ingest-records';

const change = (op: string, before: unknown, after: unknown, lsn: number) =>
  Buffer.from(
    JSON.stringify({
      op,
      before,
      after,
      source: { db: 'erp', schema: 'public', table: 'items', ts_ms: 1764669600000, lsn },
    }),
  );
const record = (offset: number, value: Buffer | null) => ({
  topic: 'verity.cdc.erp.public.items',
  partition: 0,
  offset: String(offset),
  value,
  headers: { 'verity-tenant': Buffer.from('acme'), 'verity-currency': Buffer.from('EUR') },
});

/** Dead letters kept in `into`, as the topic would keep them. */
const keep = (into: DeadLetter[]): DeadLetters => ({
  write: async (letter) => {
    into.push(letter);
    return { ...letter, id: `letter-${into.length}`, at: '2026-12-02T10:00:00.000Z' };
  },
});

describe('createRecordIngest', () => {
  it("appends a batch's commands in one submit, dead-letters what cannot be mapped, skips tombstones, counts each", async () => {
    const submitted: SourceChange[][] = [];
    const letters: DeadLetter[] = [];
    const registry = new Registry();
    const ingest = createRecordIngest({
      intake: { submit: async (changes) => (submitted.push([...changes]), []) },
      deadLetters: keep(letters),
      metrics: syncMetrics(registry),
      contexts,
      logger: createLogger('test', 'silent'),
    });
    const item = { sku: 'P-1', name: 'Bolt', unit: 'EA', updated_at: 'a' };
    await ingest([
      record(0, change('c', null, item, 100)),
      record(1, null),
      record(2, change('u', item, { ...item, unit: 'not a unit!' }, 101)),
      record(3, change('u', item, { ...item, updated_at: 'b' }, 102)),
      record(4, change('u', item, { ...item, name: 'Bolt M8' }, 103)),
    ]);
    expect(submitted).toEqual([
      [
        expect.objectContaining({ type: 'catalog.RegisterProduct', commandId: 'erp-db:erp:100:items:P-1' }),
        expect.objectContaining({ type: 'catalog.UpdateProduct', payload: { sku: 'P-1', name: 'Bolt M8' } }),
      ],
    ]);
    expect(letters).toEqual([
      expect.objectContaining({ code: 'unmappable_change', reason: expect.stringMatching(/unit/), tenant: 'acme' }),
    ]);
    const counts = await registry.getSingleMetricAsString('verity_sync_changes_total');
    expect(counts).toContain(
      'verity_sync_changes_total{ingestor="cdc",source="erp-db",tenant="acme",outcome="submitted"} 2',
    );
    expect(counts).toContain('outcome="dead_lettered"} 1');
    expect(counts).toContain('outcome="skipped_unchanged"} 1');
  });

  it('rejects when appending fails, so the batch is read again', async () => {
    const ingest = createRecordIngest({
      intake: { submit: async () => Promise.reject(new Error('broker down')) },
      deadLetters: keep([]),
      metrics: syncMetrics(new Registry()),
      contexts,
      logger: createLogger('test', 'silent'),
    });
    await expect(ingest([record(0, change('c', null, { sku: 'P-2', name: 'Nut', unit: 'EA' }, 7))])).rejects.toThrow(
      'broker down',
    );
  });
});
