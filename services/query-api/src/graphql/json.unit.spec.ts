import { Kind } from 'graphql';
import { Json } from './json';

describe('JSON scalar', () => {
  it.each(['zinc plated', 7, { material: 'steel' }, null])('serializes %p as it is', (value) => {
    expect(Json.serialize(value)).toEqual(value);
  });

  it('is output only', () => {
    expect(() => Json.parseValue('x')).toThrow(/output type only/);
    expect(() => Json.parseLiteral({ kind: Kind.STRING, value: 'x' })).toThrow(/output type only/);
  });
});
