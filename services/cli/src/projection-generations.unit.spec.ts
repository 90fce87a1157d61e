import { behind, parkedSchema } from './projection-generations';

const at = (topic: string, partition: number, nextOffset: bigint) => ({ topic, partition, nextOffset });

describe('projection generations', () => {
  it('parks a generation in a schema named for the read model and the generation', () => {
    expect(parkedSchema('verity', 'inventory-stock', 2)).toBe('verity__inventory_stock_2');
    expect(() => parkedSchema('x'.repeat(50), 'inventory-stock', 2)).toThrow(/63/);
  });

  it('names the partitions a candidate generation has not reached, a missing one counting as 0', () => {
    const frozen = [at('e', 0, 10n), at('e', 1, 5n), at('e', 2, 0n), at('f', 0, 3n)];
    expect(behind(frozen, [at('e', 0, 10n), at('e', 1, 7n), at('f', 0, 2n)])).toEqual([at('f', 0, 3n)]);
    expect(behind(frozen, [])).toEqual([at('e', 0, 10n), at('e', 1, 5n), at('f', 0, 3n)]);
    expect(behind(frozen, [at('e', 0, 11n), at('e', 1, 5n), at('f', 0, 3n)])).toEqual([]);
  });
});
