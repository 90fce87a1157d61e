import { compareCodeUnits } from './code-unit-order';

describe('compareCodeUnits', () => {
  it('orders by code unit, not by locale: capitals before lower case, accents after z', () => {
    expect(['b', 'é', 'a', 'B', 'z'].sort(compareCodeUnits)).toEqual(['B', 'a', 'b', 'z', 'é']);
  });

  it('answers 0 for equal strings and the sign of the first differing code unit otherwise', () => {
    expect(compareCodeUnits('tenant-1', 'tenant-1')).toBe(0);
    expect(compareCodeUnits('tenant-1', 'tenant-10')).toBe(-1);
    expect(compareCodeUnits('tenant-2', 'tenant-10')).toBe(1);
  });
});
