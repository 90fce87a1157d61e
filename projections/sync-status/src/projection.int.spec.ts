import { projectionSpec, type ProjectionSpecOutcome } from '@verity/events/testing';
import { SYNC_SOURCES_TABLE } from './migrations';
import { syncStatusProjection } from './projection';

const spec = projectionSpec(syncStatusProjection);

const received = (sourceSystem: string, sourceTimestamp: string) => ({
  type: 'verity.inventory.StockReceived' as const,
  data: { sku: 'S-1', location: 'WH1', quantity: 1 },
  metadata: { sourceSystem, sourceTimestamp },
});
const lost = (incomingSourceSystem: string, incomingSourceTimestamp: string) => ({
  type: 'verity.inventory.ConflictDetected' as const,
  data: {
    conflictId: 'C-1',
    sku: 'S-1',
    location: 'WH1',
    field: 'onHand',
    currentValue: '5',
    currentSourceSystem: 'shop',
    currentSourceTimestamp: '2026-01-01T00:20:00.000Z',
    incomingValue: '7',
    incomingSourceSystem,
    incomingSourceTimestamp,
    rule: 'authority',
    owners: ['shop'],
  },
});

/** The spec's events are appended one second apart from 2025-01-01T00:00:00Z: the n-th at second n − 1. */
const appended = (n: number): string => new Date(Date.parse('2025-01-01T00:00:00Z') + (n - 1) * 1000).toISOString();

interface SourceRow {
  source_system: string;
  applied: string;
  conflicted: string;
  last_change_at: Date;
  last_applied_at: Date;
}

const rows = async (table: ProjectionSpecOutcome['table']) =>
  (
    await table(SYNC_SOURCES_TABLE)
      .orderBy('source_system')
      .select<SourceRow[]>('source_system', 'applied', 'conflicted', 'last_change_at', 'last_applied_at')
  ).map((r) => ({
    source_system: r.source_system,
    applied: Number(r.applied),
    conflicted: Number(r.conflicted),
    last_change_at: r.last_change_at.toISOString(),
    last_applied_at: r.last_applied_at.toISOString(),
  }));

/** A batch is folded per source into one statement: the rows must end as counting the changes one by one would leave them (worked out by hand). */
describe('sync-status projection', () => {
  it('counts a batch per source: applied, lost to a conflict, the newest source time and when it was appended', () =>
    spec
      .given([])
      .when([
        received('erp', '2026-01-01T00:10:00.000Z'),
        received('erp', '2026-01-01T00:05:00.000Z'),
        received('shop', '2026-01-01T00:20:00.000Z'),
        lost('erp', '2026-01-01T00:10:00.000Z'),
      ])
      .then(async ({ table }) => {
        expect(await rows(table)).toEqual([
          {
            source_system: 'erp',
            applied: 2,
            conflicted: 1,
            last_change_at: '2026-01-01T00:10:00.000Z',
            // The conflict's change is as new as the newest: it was the last to reach it.
            last_applied_at: appended(4),
          },
          {
            source_system: 'shop',
            applied: 1,
            conflicted: 0,
            last_change_at: '2026-01-01T00:20:00.000Z',
            last_applied_at: appended(3),
          },
        ]);
      }));

  it('adds a later batch to the rows, and an older change does not make a source look behind', () =>
    spec
      .given([received('erp', '2026-01-01T00:30:00.000Z')])
      .when([received('erp', '2026-01-01T00:10:00.000Z'), received('erp', '2026-01-01T00:20:00.000Z')])
      .then(async ({ table }) => {
        expect(await rows(table)).toEqual([
          {
            source_system: 'erp',
            applied: 3,
            conflicted: 0,
            last_change_at: '2026-01-01T00:30:00.000Z',
            last_applied_at: appended(1),
          },
        ]);
      }));

  it('counts a redelivered batch once', () =>
    spec
      .given([])
      .when([received('erp', '2026-01-01T00:10:00.000Z'), received('shop', '2026-01-01T00:11:00.000Z')], {
        deliveries: 2,
      })
      .then(async ({ table }) => {
        expect((await rows(table)).map((r) => [r.source_system, r.applied])).toEqual([
          ['erp', 1],
          ['shop', 1],
        ]);
      }));
});
