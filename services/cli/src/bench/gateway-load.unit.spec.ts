import { cpuPerCommand, spreadConnections } from './gateway-load';

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

describe('cpuPerCommand', () => {
  it('is each group’s CPU between the readings over the commands, in µs', () => {
    const before = new Map([
      ['gateway', 1_000],
      ['kafka', 5_000],
    ]);
    const after = new Map([
      ['gateway', 1_600],
      ['kafka', 5_300],
    ]);
    expect(cpuPerCommand(before, after, 1_000)).toEqual({ gateway: 600, kafka: 300 });
  });

  it('leaves out a group not read before, and says nothing without commands', () => {
    const after = new Map([['gateway', 10]]);
    expect(cpuPerCommand(new Map([['kafka', 1]]), after, 10)).toBeUndefined();
    expect(cpuPerCommand(new Map([['gateway', 1]]), after, 0)).toBeUndefined();
  });
});
