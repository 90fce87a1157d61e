import { parseAuditExportArgs, parseVerifyArchiveArgs } from './audit-export-args';

describe('parseAuditExportArgs', () => {
  it('defaults to every context, the whole log, NDJSON on stdout', () => {
    expect(parseAuditExportArgs(['--tenant', 'acme'])).toEqual({
      tenant: 'acme',
      from: { kind: 'start' },
      to: { kind: 'end' },
      format: 'ndjson',
      target: { kind: 'stdout' },
    });
  });

  it('reads a context, offsets or times, CSV to a file, or an archive', () => {
    expect(
      parseAuditExportArgs([
        '--tenant=acme',
        '--context',
        'aliases',
        '--from',
        '10',
        '--to',
        '20',
        '--format',
        'csv',
        '--out',
        'x.csv',
      ]),
    ).toEqual({
      tenant: 'acme',
      context: 'aliases',
      from: { kind: 'offset', offset: 10n },
      to: { kind: 'offset', offset: 20n },
      format: 'csv',
      target: { kind: 'file', path: 'x.csv' },
    });
    expect(parseAuditExportArgs(['--tenant', 'acme', '--from', '2026-12-01', '--archive', 'a.tar'])).toMatchObject({
      from: { kind: 'time', ms: Date.parse('2026-12-01') },
      target: { kind: 'archive', path: 'a.tar' },
    });
  });

  it.each([
    [[], 'audit export needs --tenant <t>'],
    [['--tenant', 'acme', '--to', '3'], 'offsets are per topic'],
    [['--tenant', 'acme', '--context', 'nowhere'], 'unknown context nowhere'],
    [['--tenant', 'acme', '--from', '2026-12-02', '--to', '2026-12-01'], '--to is before --from'],
    [['--tenant', 'acme', '--format', 'xlsx'], '--format xlsx: one of ndjson, csv'],
    [['--tenant', 'acme', '--archive', 'a', '--out', 'b'], '--archive and --out: give one'],
    [['--tenant', 'acme', '--archive', 'a', '--format', 'csv'], '--archive holds NDJSON'],
    [['--tenant', 'acme', 'extra'], 'audit export takes no positional arguments, got extra'],
    [['--tenant', 'acme', '--stream', 'acme/x'], 'audit export: unknown option --stream'],
  ])('refuses %j with a usage error', (args, message) => {
    expect(() => parseAuditExportArgs(args)).toThrow(
      expect.objectContaining({ code: 'usage', message: expect.stringContaining(message) }),
    );
  });
});

describe('parseVerifyArchiveArgs', () => {
  it('takes exactly one file', () => {
    expect(parseVerifyArchiveArgs(['a.tar'])).toBe('a.tar');
    expect(() => parseVerifyArchiveArgs([])).toThrow('needs exactly one file, got 0');
    expect(() => parseVerifyArchiveArgs(['a', 'b'])).toThrow('needs exactly one file, got 2');
  });
});
