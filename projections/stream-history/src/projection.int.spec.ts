import { inventoryContext } from '@verity/domain';
import { HistoryGapError, stateAt } from '@verity/events';
import { projectionSpec } from '@verity/events/testing';
import { readStreamHistory } from './history-view';
import { streamHistoryProjection, streamHistoryProjectionOf } from './projection';
import { readStreamState } from './stream-state-view';

const spec = projectionSpec(streamHistoryProjection);

const received = (sku: string, quantity: number, tenant = 'acme') => ({
  type: 'verity.inventory.StockReceived' as const,
  data: { sku, location: 'berlin', quantity },
  metadata: { tenant, subject: `${tenant}/${sku}` },
});

describe('stream-history projection', () => {
  it('keeps every event by stream and version, as the log holds it', () =>
    spec
      .given([received('S-1', 10)])
      .when([
        received('S-2', 1),
        { ...received('S-1', 5), metadata: { subject: 'acme/S-1', onBehalfOf: 'alice', hash: 'h2', prevHash: 'h1' } },
      ])
      .then(async ({ db, schema }) => {
        const history = await readStreamHistory(db, schema, {
          tenant: 'acme',
          context: 'inventory',
          streamId: 'acme/S-1',
        });
        expect(history).toEqual([
          {
            version: 1,
            offset: '0',
            time: '2025-01-01T00:00:00.000Z',
            type: 'verity.inventory.StockReceived',
            actor: 'spec',
            sourceSystem: 'verity',
            sourceTimestamp: '2025-01-01T00:00:00.000Z',
            correlationId: 'spec-1',
            causationId: 'spec-1',
            payload: { sku: 'S-1', location: 'berlin', quantity: 10 },
            hash: '',
            prevHash: '',
          },
          expect.objectContaining({ version: 2, offset: '2', onBehalfOf: 'alice', hash: 'h2', prevHash: 'h1' }),
        ]);
        expect(history[1]!.payload).toMatchObject({ quantity: 5 });
      }));

  it('pages by version and keeps tenants and contexts apart', () =>
    spec
      .given([])
      .when([
        ...[1, 2, 3, 4].map((q) => received('S-1', q)),
        received('S-1', 9, 'globex'),
        {
          type: 'verity.catalog.ProductDiscontinued' as const,
          data: { sku: 'S-1', reason: null },
          metadata: { subject: 'acme/S-1' },
        },
      ])
      .then(async ({ db, schema }) => {
        const stream = { tenant: 'acme', context: 'inventory', streamId: 'acme/S-1' };
        const versions = async (page: { fromVersion?: number; limit?: number }) =>
          (await readStreamHistory(db, schema, { ...stream, ...page })).map((e) => e.version);
        expect(await versions({})).toEqual([1, 2, 3, 4]);
        expect(await versions({ limit: 2 })).toEqual([1, 2]);
        expect(await versions({ fromVersion: 3, limit: 2 })).toEqual([3, 4]);
        expect(await versions({ fromVersion: 5 })).toEqual([]);
        const catalog = await readStreamHistory(db, schema, { ...stream, context: 'catalog' });
        expect(catalog.map((e) => e.type)).toEqual(['verity.catalog.ProductDiscontinued']);
        const globex = await readStreamHistory(db, schema, { ...stream, tenant: 'globex', streamId: 'globex/S-1' });
        expect(globex.map((e) => e.payload.quantity)).toEqual([9]);
      }));

  it('applies a redelivered batch once', () =>
    spec
      .given([])
      .when([received('S-1', 1), received('S-1', 2)], { deliveries: 3 })
      .then(async ({ table }) => {
        expect(await table('stream_events').select('version').orderBy('version')).toEqual([
          { version: 1 },
          { version: 2 },
        ]);
      }));

  describe('kept states', () => {
    // Every third version, so eight events keep two states.
    const every3 = projectionSpec(streamHistoryProjectionOf(3));
    const stream = { tenant: 'acme', context: 'inventory', streamId: 'acme/S-1' };
    const { decider } = inventoryContext;
    const eight = [1, 2, 3, 4, 5, 6, 7, 8].map((q) => received('S-1', q));

    it('keeps the state every interval, equal to folding the events before it by hand', () =>
      every3
        .given([])
        .when([...eight, received('S-2', 1)])
        .then(async ({ db, schema, table }) => {
          const history = await readStreamHistory(db, schema, stream);
          const kept = (await table('stream_states')
            .select('stream_id', 'version', 'time', 'state')
            .orderBy('version')) as { stream_id: string; version: number; time: string; state: unknown }[];
          expect(kept.map((k) => [k.stream_id, k.version])).toEqual([
            ['acme/S-1', 3],
            ['acme/S-1', 6],
          ]);
          for (const k of kept) {
            const byHand = history
              .slice(0, k.version)
              .reduce(
                (state, row) => decider.evolve(state, { type: row.type.split('.')[2]!, data: row.payload }),
                decider.initialState(),
              );
            expect(k.state).toEqual(JSON.parse(JSON.stringify(byHand)));
            expect(k.time).toBe(history[k.version - 1]!.time);
          }
        }));

    it('reads a state at a version, an instant or now as the fold from version 1 gives it', () =>
      every3
        .given([])
        .when(eight)
        .then(async ({ db, schema }) => {
          const history = await readStreamHistory(db, schema, stream);
          const between = new Date(Date.parse(history[4]!.time) + 500).toISOString();
          for (const point of [
            { version: 2 },
            { version: 3 },
            { version: 7 },
            { at: between },
            { latest: true as const },
          ])
            expect(await readStreamState(db, schema, stream, decider, point)).toEqual(
              JSON.parse(JSON.stringify(stateAt(decider, history, point))),
            );
          expect(await readStreamState(db, schema, stream, decider, { version: 9 })).toBeUndefined();
          expect(
            await readStreamState(db, schema, stream, decider, { at: '2024-12-31T00:00:00.000Z' }),
          ).toBeUndefined();
          expect(
            await readStreamState(db, schema, { ...stream, streamId: 'acme/none' }, decider, { latest: true }),
          ).toBeUndefined();
        }));

    it('folds from the nearest kept state, not from version 1', () =>
      every3
        .given([])
        .when(eight)
        .then(async ({ db, schema, table }) => {
          // Versions 1 and 2 gone: a fold from version 1 would stop on the gap.
          await table('stream_events').where({ stream_id: 'acme/S-1' }).whereIn('version', [1, 2]).delete();
          await expect(readStreamState(db, schema, stream, decider, { version: 2 })).rejects.toThrow(HistoryGapError);
          const marked = { ...(await table('stream_states').where({ version: 6 }).first()).state, marked: true };
          await table('stream_states')
            .where({ version: 6 })
            .update({ state: JSON.stringify(marked) });
          expect((await readStreamState(db, schema, stream, decider, { version: 6 }))?.state).toEqual(marked);
          const seven = await readStreamState(db, schema, stream, decider, { version: 7 });
          expect(seven?.state).toMatchObject({ marked: true });
          expect((await readStreamState(db, schema, stream, decider, { version: 4 }))?.version).toBe(4);
        }));

    it('folds a long stream without kept states a page at a time, to the same state', () =>
      projectionSpec(streamHistoryProjectionOf(10_000))
        .given([])
        .when(Array.from({ length: 1_201 }, (_, i) => received('S-1', (i % 7) + 1)))
        .then(async ({ db, schema }) => {
          const history = await readStreamHistory(db, schema, stream);
          const between = new Date(Date.parse(history[1_099]!.time) + 500).toISOString();
          for (const point of [{ version: 1_000 }, { version: 1_001 }, { at: between }, { latest: true as const }])
            expect(await readStreamState(db, schema, stream, decider, point)).toEqual(
              JSON.parse(JSON.stringify(stateAt(decider, history, point))),
            );
        }));

    it('keeps no state across a gap in the history, and applies on', () =>
      every3
        .given([])
        .when([received('S-1', 1), { ...received('S-1', 2), metadata: { subject: 'acme/S-1', streamVersion: 3 } }])
        .then(async ({ db, schema, table }) => {
          expect(await table('stream_states').select('version')).toEqual([]);
          expect((await readStreamHistory(db, schema, stream)).map((e) => e.version)).toEqual([1, 3]);
        }));
  });
});
