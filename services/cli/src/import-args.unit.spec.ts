import { UsageError } from './errors';
import { DEFAULT_IMPORT_CONCURRENCY, parseImportArgs } from './import-args';

describe('parseImportArgs', () => {
  it('takes the file and the type; tenant, report, concurrency and source have defaults; the format follows the name', () => {
    expect(parseImportArgs(['stock.csv', '--type', 'inventory.ReceiveStock'])).toEqual({
      file: 'stock.csv',
      type: 'inventory.ReceiveStock',
      tenant: 'default',
      format: 'csv',
      report: 'stock.csv.rejected.ndjson',
      concurrency: DEFAULT_IMPORT_CONCURRENCY,
      sourceSystem: 'api',
      restart: false,
    });
  });

  it('takes every option, in either spelling', () => {
    expect(
      parseImportArgs([
        '--type=inventory.AdjustStock',
        'dump.txt',
        '--tenant',
        'acme',
        '--format',
        'ndjson',
        '--report=bad.ndjson',
        '--concurrency',
        '8',
        '--actor',
        'ops@acme',
        '--source-system',
        'erp-db',
        '--restart',
      ]),
    ).toEqual({
      file: 'dump.txt',
      type: 'inventory.AdjustStock',
      tenant: 'acme',
      format: 'ndjson',
      report: 'bad.ndjson',
      concurrency: 8,
      actor: 'ops@acme',
      sourceSystem: 'erp-db',
      restart: true,
    });
  });

  it.each([
    [[], /exactly one file/],
    [['a.csv', 'b.csv', '--type', 'inventory.ReceiveStock'], /exactly one file/],
    [['a.csv'], /needs --type/],
    [['a.json', '--type', 'inventory.ReceiveStock'], /--format csv\|ndjson/],
    [['a.csv', '--type', 'x.Y', '--format', 'xlsx'], /--format xlsx/],
    [['a.csv', '--type', 'x.Y', '--tenant', 'Acme Inc'], /--tenant Acme Inc/],
    [['a.csv', '--type', 'x.Y', '--concurrency', '0'], /--concurrency 0/],
    [['a.csv', '--type', 'x.Y', '--source-system', 'sap'], /--source-system sap/],
    [['a.csv', '--type', 'x.Y', '--colour', 'red'], /unknown option --colour/],
    [['a.csv', '--type', 'x.Y', '--type', 'x.Z'], /given twice/],
    [['a.csv', '--type'], /--type needs a value/],
  ])('refuses %j', (args, message) => {
    expect(() => parseImportArgs(args)).toThrow(UsageError);
    expect(() => parseImportArgs(args)).toThrow(message);
  });
});
