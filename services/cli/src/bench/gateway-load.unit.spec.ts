import { spreadConnections } from './gateway-load';

describe('gateway load over several instances', () => {
  it('gives each instance an equal share of the connections', () => {
    expect(spreadConnections(32, ['a', 'b'])).toEqual([
      { target: 'a', connections: 16 },
      { target: 'b', connections: 16 },
    ]);
    expect(spreadConnections(32, ['a'])).toEqual([{ target: 'a', connections: 32 }]);
  });

  it('gives the remainder to the first ones, so the total stays what was asked', () => {
    expect(spreadConnections(35, ['a', 'b', 'c', 'd']).map((s) => s.connections)).toEqual([9, 9, 9, 8]);
  });

  it('leaves out an instance that would get no connection', () => {
    expect(spreadConnections(2, ['a', 'b', 'c'])).toEqual([
      { target: 'a', connections: 1 },
      { target: 'b', connections: 1 },
    ]);
  });
});
