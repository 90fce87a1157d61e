import { encodeConflictCursor } from '@verity/projection-source-conflicts';
import { authorityRulesQuerySchema, conflictListQuerySchema } from './conflicts-routes';
import { CONFLICT_CONTEXTS } from './source-conflicts';
import { parseQuery } from './request';

const parse = (
  query: Record<string, unknown>,
  schema: typeof conflictListQuerySchema | typeof authorityRulesQuerySchema = conflictListQuerySchema,
) => parseQuery(schema, query);

describe('conflict list query', () => {
  it('conflicts live where governed fields do: catalog and inventory', () => {
    expect(CONFLICT_CONTEXTS).toEqual(['catalog', 'inventory']);
  });

  it('reads every filter, the page size and the cursor', () => {
    const cursor = encodeConflictCursor(['2026-11-23T10:00:00.000Z', 'conflict-0123456789abcdef01234567']);
    expect(
      parse({ status: 'open', context: 'inventory', sku: 'SKU-1', field: 'inventory.onHand', limit: '200', cursor }),
    ).toEqual({
      status: 'open',
      context: 'inventory',
      sku: 'SKU-1',
      field: 'inventory.onHand',
      limit: 200,
      cursor: ['2026-11-23T10:00:00.000Z', 'conflict-0123456789abcdef01234567'],
    });
    expect(parse({})).toEqual({});
  });

  it.each([
    [{ status: 'accepted' }, 'status'],
    [{ context: 'pricing' }, 'context'],
    [{ sku: 'not a sku' }, 'sku'],
    [{ field: 'catalog.colour' }, 'field'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '201' }, 'limit'],
    [{ limit: ['1', '2'] }, 'limit'],
    [{ cursor: 'not-ours' }, 'cursor'],
    [{ colour: 'red' }, 'colour'],
  ])('%j is a 400 naming %s', (query, name) => {
    expect(() => parse(query)).toThrow(
      expect.objectContaining({
        status: 400,
        code: 'validation_failed',
        message: expect.stringMatching(new RegExp(`^${name}: `)),
      }),
    );
  });

  it('the authority rules take no parameter', () => {
    expect(parse({}, authorityRulesQuerySchema)).toEqual({});
    expect(() => parse({ field: 'catalog.name' }, authorityRulesQuerySchema)).toThrow(
      expect.objectContaining({ status: 400, message: expect.stringMatching(/^field: /) }),
    );
  });
});
