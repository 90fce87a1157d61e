import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMAND, OUTPUT, generateEventTypes } from '../../scripts/generate-event-types';

describe('generated event types', () => {
  it('are up to date with schemas/', () => {
    const committed = readFileSync(OUTPUT, 'utf8');
    if (committed !== generateEventTypes()) {
      throw new Error(`${OUTPUT} is out of date with schemas/; run \`${COMMAND}\` and commit the result`);
    }
  });

  it('declares one interface per version, a latest alias per event and a map by full name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'verity-gen-'));
    try {
      mkdirSync(join(dir, 'shop'));
      const write = (file: string, fields: unknown[]) =>
        writeFileSync(join(dir, 'shop', file), JSON.stringify({ type: 'record', name: 'OrderPlaced', namespace: 'verity.shop', fields }));
      write('OrderPlaced.v1.avsc', [{ name: 'id', type: 'string', doc: 'Order id' }]);
      write('OrderPlaced.v2.avsc', [
        { name: 'id', type: 'string' },
        { name: 'total', type: 'long', default: 0 },
        { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['B2B', 'B2C'] }, default: 'B2B' },
        { name: 'lines', type: { type: 'array', items: { type: 'record', name: 'Line', fields: [{ name: 'sku', type: 'string' }] } }, default: [] },
        { name: 'note', type: ['null', 'string'], default: null },
        { name: 'amount', type: ['null', 'int', 'long'], default: null },
      ]);

      const source = generateEventTypes(dir);

      expect(source).toContain('export interface OrderPlacedV1 {\n  /** Order id */\n  id: string;\n}');
      expect(source).toContain(
        [
          'export interface OrderPlacedV2 {',
          '  id: string;',
          '  total: number;',
          '  kind: "B2B" | "B2C";',
          '  lines: Array<OrderPlacedV2Line>;',
          '  note: null | string;',
          // avsc wraps a union whose branches it could not tell apart.
          '  amount: null | { "int": number } | { "long": number };',
          '}',
        ].join('\n'),
      );
      expect(source).toContain('export interface OrderPlacedV2Line {\n  sku: string;\n}');
      expect(source).toContain('export type OrderPlaced = OrderPlacedV2;');
      expect(source).toContain('export interface LatestEventPayloads {\n  "verity.shop.OrderPlaced": OrderPlaced;\n}');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
