import { deadLetterTable, parseDlqArgs } from './dlq-command';
import { UsageError } from './errors';
import { parseSyncArgs, syncTable } from './sync-command';

describe('verity dlq arguments', () => {
  it('lists every ingestor unless one is named', () => {
    expect(parseDlqArgs(['list'])).toEqual({
      action: 'list',
      ingestors: ['cdc', 'webhooks', 'poller'],
      json: false,
    });
    expect(parseDlqArgs(['list', '--ingestor', 'cdc', '--json'])).toEqual({
      action: 'list',
      ingestors: ['cdc'],
      json: true,
    });
  });

  it('replays named letters or all of one ingestor', () => {
    expect(parseDlqArgs(['replay', '--ingestor', 'cdc', '--id', 'a', '--id', 'b'])).toEqual({
      action: 'replay',
      ingestor: 'cdc',
      ids: ['a', 'b'],
    });
    expect(parseDlqArgs(['replay', '--ingestor', 'poller', '--all'])).toEqual({
      action: 'replay',
      ingestor: 'poller',
      ids: 'all',
    });
  });

  it.each([
    [[], /unknown action/],
    [['purge'], /unknown action purge/],
    [['list', '--ingestor', 'ftp'], /--ingestor ftp/],
    [['list', '--all'], /takes no --id or --all/],
    [['replay', '--all'], /needs --ingestor/],
    [['replay', '--ingestor', 'cdc'], /either --id/],
    [['replay', '--ingestor', 'cdc', '--all', '--id', 'x'], /either --id/],
    [['list', '--since', 'x'], /Unknown option '--since'/],
  ])('%j is a usage error', (args, message) => {
    expect(() => parseDlqArgs(args)).toThrow(UsageError);
    expect(() => parseDlqArgs(args)).toThrow(message);
  });

  it('prints a letter per row, its reason last and whole', () => {
    const table = deadLetterTable([
      {
        id: 'abc',
        ingestor: 'cdc',
        source: 'erp-db',
        tenant: 'default',
        code: 'unmappable_change',
        reason: 'catalog.RegisterProduct: name: Too small',
        position: '0/16B3748:items:A-1',
        original: '{}',
        at: '2026-12-02T10:00:00.000Z',
      },
    ]);
    expect(table.split('\n')[1]).toBe(
      'abc  cdc       erp-db  default  2026-12-02T10:00:00.000Z  0/16B3748:items:A-1  catalog.RegisterProduct: name: Too small',
    );
  });
});

describe('verity sync arguments', () => {
  it('takes a tenant and --json', () => {
    expect(parseSyncArgs(['status'])).toEqual({ json: false });
    expect(parseSyncArgs(['status', '--tenant', 'acme', '--json'])).toEqual({ tenant: 'acme', json: true });
  });

  it.each([[[]], [['show']], [['status', '--tenant', 'Not A Tenant']], [['status', 'acme']]])(
    '%j is a usage error',
    (args) => {
      expect(() => parseSyncArgs(args)).toThrow(UsageError);
    },
  );

  it('prints one row per tenant and source, the lag in seconds', () => {
    const table = syncTable([
      {
        tenant: 'acme',
        sources: [
          {
            source: 'netsuite',
            applied: 2,
            conflicted: 1,
            rejected: 0,
            deadLettered: 1,
            deadLetteredPending: 1,
            lastChangeAt: '2026-12-02T10:00:00.000Z',
            lastAppliedAt: '2026-12-02T10:00:01.500Z',
            lagMs: 1500,
          },
        ],
      },
    ]);
    expect(table.split('\n')[1]).toBe(
      'acme    netsuite  2        1           0         1             1        2026-12-02T10:00:00.000Z  1.5 s',
    );
  });
});
