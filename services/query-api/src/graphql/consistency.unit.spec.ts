import { GraphQLError } from 'graphql';
import { projectionsOf } from './consistency';

const readModels = [
  { projection: 'inventory-stock', topics: ['p.inventory.events'] },
  { projection: 'catalog-products', topics: ['p.catalog.events'] },
  { projection: 'source-conflicts', topics: ['p.catalog.events', 'p.inventory.events', 'p.sources.events'] },
];

describe('projectionsOf: what a consistency token waits for', () => {
  it('every read model built from the token topic', () => {
    expect(projectionsOf(readModels, 'p.catalog.events')).toEqual(['catalog-products', 'source-conflicts']);
    expect(projectionsOf(readModels, 'p.sources.events')).toEqual(['source-conflicts']);
  });

  it('a topic no read model is built from is invalid_consistency_token, a 400', () => {
    let error: unknown;
    try {
      projectionsOf(readModels, 'p.pricing.events');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions).toEqual({
      code: 'invalid_consistency_token',
      header: 'X-Consistency-Token',
      http: { status: 400 },
    });
    expect((error as GraphQLError).message).toBe(
      'token is for p.pricing.events; GraphQL reads are built from p.inventory.events, p.catalog.events, p.sources.events',
    );
  });
});
