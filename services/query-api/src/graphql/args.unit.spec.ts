import { GraphQLError } from 'graphql';
import { quoteArgs, type QuoteArgs } from './args';

const now = new Date('2026-11-23T10:00:00Z');
const valid: QuoteArgs = { priceListId: 'PL-1', customer: 'C-1', sku: 'SKU-1', quantity: 5 };

describe('quoteArgs', () => {
  it('maps customer to customerId and defaults at to now', () => {
    expect(quoteArgs(valid, now)).toEqual({
      priceListId: 'PL-1',
      customerId: 'C-1',
      sku: 'SKU-1',
      quantity: 5,
      at: '2026-11-23T10:00:00.000Z',
    });
    expect(quoteArgs({ ...valid, at: null }, now).at).toBe('2026-11-23T10:00:00.000Z');
  });

  it('normalises at to UTC', () => {
    expect(quoteArgs({ ...valid, at: '2027-01-01T01:00:00+01:00' }, now).at).toBe('2027-01-01T00:00:00.000Z');
  });

  it.each([
    [{ quantity: 0 }, 'quantity', /at least 1/],
    [{ quantity: 1_000_000_001 }, 'quantity', /at most/],
    [{ customer: '' }, 'customer', /1/],
    [{ customer: 'x'.repeat(129) }, 'customer', /128/],
    [{ priceListId: 'no spaces' }, 'priceListId', /letters/],
    [{ sku: '' }, 'sku', /1 to 64/],
    [{ at: 'tomorrow' }, 'at', /ISO 8601/],
    [{ at: '2026-11-23T10:00:00' }, 'at', /offset/],
  ] as const)('%j is BAD_USER_INPUT naming %s', (change, argument, message) => {
    let error: unknown;
    try {
      quoteArgs({ ...valid, ...change }, now);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions).toEqual({ code: 'BAD_USER_INPUT', argument });
    expect((error as GraphQLError).message).toMatch(new RegExp(`^${argument}: `));
    expect((error as GraphQLError).message).toMatch(message);
  });
});
