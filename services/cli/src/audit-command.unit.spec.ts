import { parseAuditArgs } from './audit-command';
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
    [[], /verify or history/],
    [['replay', 'acme/SKU-1'], /verify or history, got replay/],
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
