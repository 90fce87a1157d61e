import { UsageError } from './errors';
import { DEFAULT_MAX_LAG, UnknownReadModelError, parseProjectionsArgs } from './projections-args';

const models = ['inventory-stock', 'pricing'];

describe('projections command line', () => {
  it('reads a rebuild with its options', () => {
    expect(parseProjectionsArgs(['rebuild', 'pricing'], models)).toEqual({
      action: 'rebuild',
      readModel: 'pricing',
      maxLag: DEFAULT_MAX_LAG,
      dropPrevious: false,
    });
    expect(parseProjectionsArgs(['rebuild', 'inventory-stock', '--max-lag', '10', '--drop-previous'], models)).toEqual({
      action: 'rebuild',
      readModel: 'inventory-stock',
      maxLag: 10,
      dropPrevious: true,
    });
  });

  it('reads list and drop', () => {
    expect(parseProjectionsArgs(['list', '--json'], models)).toEqual({ action: 'list', json: true });
    expect(parseProjectionsArgs(['drop', 'pricing', '2'], models)).toEqual({
      action: 'drop',
      readModel: 'pricing',
      generation: 2,
    });
  });

  it('names an unknown read model', () => {
    expect(() => parseProjectionsArgs(['rebuild', 'stock'], models)).toThrow(UnknownReadModelError);
    expect(() => parseProjectionsArgs(['drop', 'stock', '1'], models)).toThrow(/no read model stock/);
  });

  it.each([
    [[]],
    [['rebuild']],
    [['rebuild', 'pricing', 'inventory-stock']],
    [['rebuild', 'pricing', '--max-lag', '-1']],
    [['rebuild', 'pricing', '--max-lag', 'many']],
    [['rebuild', 'pricing', '--fast']],
    [['drop', 'pricing']],
    [['drop', 'pricing', '0']],
    [['drop', 'pricing', 'two']],
    [['list', 'pricing']],
    [['switch', 'pricing']],
  ])('refuses %j as a usage error', (args) => {
    expect(() => parseProjectionsArgs(args, models)).toThrow(UsageError);
  });
});
