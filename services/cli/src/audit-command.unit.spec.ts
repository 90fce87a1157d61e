import type { HistoryRow } from '@verity/events';
import { historyTable, parseAuditArgs } from './audit-command';
import { UsageError } from './errors';

describe('verity audit arguments', () => {
  it('reads the action, stream id, context and --json', () => {
    expect(parseAuditArgs(['verify', 'acme/SKU-1'])).toEqual({
      action: 'verify',
      streamId: 'acme/SKU-1',
      context: 'inventory',
      json: false,
    });
    expect(parseAuditArgs(['history', '--json', 'acme/SKU/with/slashes', '--context', 'inventory'])).toEqual({
      action: 'history',
      streamId: 'acme/SKU/with/slashes',
      context: 'inventory',
      json: true,
    });
    expect(parseAuditArgs(['verify', '--context=inventory', 'acme/SKU-1']).context).toBe('inventory');
  });

  it.each([
    [[], /verify, history, export, verify-archive or aliases/],
    [['replay', 'acme/SKU-1'], /or aliases, got replay/],
    [['verify'], /exactly one stream id, got 0/],
    [['verify', 'acme/A', 'acme/B'], /exactly one stream id, got 2/],
    [['verify', 'SKU-1'], /not <tenant>\/<aggregate id>/],
    [['verify', 'acme/'], /not <tenant>\/<aggregate id>/],
    [['verify', 'Acme Corp/SKU-1'], /tenant must be/],
    [['verify', 'acme/SKU-1', '--context'], /--context needs a context name/],
    [['verify', 'acme/SKU-1', '--context', 'billing'], /unknown context billing; known: inventory/],
    [['verify', 'acme/SKU-1', '--json'], /unknown option --json/],
    [['history', 'acme/SKU-1', '--since', 'x'], /unknown option --since/],
  ])('%j is a usage error', (args, message) => {
    const parse = () => parseAuditArgs(args);
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(message);
  });
});

describe('verity audit history table', () => {
  const row = (version: number, extra: Partial<HistoryRow> = {}): HistoryRow => ({
    version,
    offset: String(version - 1),
    time: '2026-11-23T10:00:00.000Z',
    type: 'verity.inventory.StockReceived',
    actor: 'alice',
    sourceSystem: 'api',
    sourceTimestamp: '2026-11-23T09:59:00.000Z',
    correlationId: 'c',
    causationId: 'c',
    payload: { quantity: version },
    hash: `h${version}`,
    prevHash: version === 1 ? '' : `h${version - 1}`,
    ...extra,
  });

  it('shows who acted and for whom, a dash when the actor acted for itself', () => {
    const table = historyTable([row(1), row(2, { actor: 'erp-connector', onBehalfOf: 'erp:jdoe' })]);
    expect(table.split('\n')).toEqual([
      'VERSION  TIME                      TYPE           ACTOR          ON BEHALF OF  SOURCE                        PAYLOAD',
      '1        2026-11-23T10:00:00.000Z  StockReceived  alice          -             api 2026-11-23T09:59:00.000Z  {"quantity":1}',
      '2        2026-11-23T10:00:00.000Z  StockReceived  erp-connector  erp:jdoe      api 2026-11-23T09:59:00.000Z  {"quantity":2}',
      '',
    ]);
  });
});
