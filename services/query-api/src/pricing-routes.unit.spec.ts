import { parseQuoteQuery } from './pricing-routes';

const now = new Date('2026-11-23T10:00:00Z');

describe('pricing quote query', () => {
  it('defaults at to now; customerId is optional', () => {
    expect(parseQuoteQuery({ priceListId: 'PL-1', sku: 'SKU-1', quantity: '3' }, now)).toEqual({
      priceListId: 'PL-1',
      sku: 'SKU-1',
      quantity: 3,
      at: '2026-11-23T10:00:00.000Z',
    });
  });

  it('reads customerId and at (normalised to UTC)', () => {
    expect(
      parseQuoteQuery(
        { priceListId: 'PL-1', sku: 'SKU-1', quantity: '10', customerId: 'C-1', at: '2027-01-01T01:00:00+01:00' },
        now,
      ),
    ).toEqual({
      priceListId: 'PL-1',
      sku: 'SKU-1',
      quantity: 10,
      customerId: 'C-1',
      at: '2027-01-01T00:00:00.000Z',
    });
  });

  it.each([
    [{ sku: 'SKU-1', quantity: '1' }, 'priceListId'],
    [{ priceListId: 'PL-1', quantity: '1' }, 'sku'],
    [{ priceListId: 'PL-1', sku: 'SKU-1' }, 'quantity'],
    [{ priceListId: 'PL-1', sku: 'SKU-1', quantity: '0' }, 'quantity'],
    [{ priceListId: 'PL-1', sku: 'SKU-1', quantity: '1.5' }, 'quantity'],
    [{ priceListId: 'PL-1', sku: 'SKU-1', quantity: 'ten' }, 'quantity'],
    [{ priceListId: 'PL-1', sku: 'SKU-1', quantity: '1', at: 'tomorrow' }, 'at'],
    [{ priceListId: 'PL-1', sku: 'not a sku', quantity: '1' }, 'sku'],
  ])('%j is a 400 naming %s', (query, field) => {
    let problem: unknown;
    try {
      parseQuoteQuery(query, now);
    } catch (error) {
      problem = error;
    }
    expect(problem).toMatchObject({ status: 400, code: 'validation_failed' });
    expect((problem as Error).message).toMatch(new RegExp(`^${field}: `));
  });
});
