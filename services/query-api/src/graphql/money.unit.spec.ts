import { Kind } from 'graphql';
import { Money } from './money';

describe('Money scalar', () => {
  it('serializes whole minor units beyond the 32 bits of Int', () => {
    expect(Money.serialize(1299)).toBe(1299);
    expect(Money.serialize(1_000_000_000_000)).toBe(1_000_000_000_000);
    expect(Money.serialize(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each([12.99, Number.MAX_SAFE_INTEGER + 1, '1299', null, Number.NaN])('refuses %p', (value) => {
    expect(() => Money.serialize(value)).toThrow(/whole number of minor units/);
    expect(() => Money.parseValue(value)).toThrow(/whole number of minor units/);
  });

  it('parses integer literals only', () => {
    expect(Money.parseLiteral({ kind: Kind.INT, value: '4995' })).toBe(4995);
    expect(() => Money.parseLiteral({ kind: Kind.FLOAT, value: '49.95' })).toThrow(/whole number/);
  });
});
