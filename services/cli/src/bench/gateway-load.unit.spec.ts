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
  const reading = (groups: Record<string, Record<number, number>>) =>
    new Map(
      Object.entries(groups).map(([name, pids]) => [
        name,
        new Map(Object.entries(pids).map(([p, ms]) => [Number(p), ms])),
      ]),
    );

  it('is each group’s CPU between the readings over the commands, in µs', () => {
    const before = reading({ gateway: { 10: 1_000 }, kafka: { 20: 5_000 } });
    const after = reading({ gateway: { 10: 1_600 }, kafka: { 20: 5_300 } });
    expect(cpuPerCommand(before, after, 1_000)).toEqual({ gateway: 600, kafka: 300 });
  });

  it('counts all of a process that started in between, and leaves out one that ended', () => {
    const before = reading({ postgres: { 1: 100, 2: 200, 3: 300 } });
    const after = reading({ postgres: { 1: 150, 3: 400, 4: 90 } });
    expect(cpuPerCommand(before, after, 100)).toEqual({ postgres: 2_400 });
  });

  it('leaves out a group not read before, and says nothing without commands', () => {
    const after = reading({ gateway: { 10: 10 } });
    expect(cpuPerCommand(reading({ kafka: { 20: 1 } }), after, 10)).toBeUndefined();
    expect(cpuPerCommand(reading({ gateway: { 10: 1 } }), after, 0)).toBeUndefined();
  });
});
