import { spawn } from 'node:child_process';
import { childPids, countCpu, cpuMeter, cpuPerCommand, processCpuMs, statCpuMs } from './process-cpu';

describe("a process's CPU time", () => {
  it('adds user and system time from /proc/<pid>/stat, in ms at 100 ticks a second', () => {
    const stat = '4242 (node) S 1 4242 4242 0 -1 4194560 9000 0 0 0 250 30 0 0 20 0 11 0 100 0 0';
    expect(statCpuMs(stat)).toBe(2800);
  });

  it('reads the fields after the last parenthesis of the command name', () => {
    const stat = '4242 (a (b) c) R 1 4242 4242 0 -1 4194560 9000 0 0 0 7 3 0 0 20 0 11 0 100 0 0';
    expect(statCpuMs(stat)).toBe(100);
    expect(() => statCpuMs('4242 (node) S 1')).toThrow(/not a \/proc stat line/);
  });

  it('measures this process on Linux, and gives nothing for a process that does not exist', () => {
    if (process.platform !== 'linux') return;
    expect(processCpuMs(process.pid)).toBeGreaterThan(0);
    expect(processCpuMs(2 ** 30)).toBeUndefined();
    const meter = cpuMeter(process.pid);
    let x = 0;
    for (let i = 0; i < 5e7; i++) x += i;
    expect(x).toBeGreaterThan(0);
    expect(meter.perRequestUs(10)).toBeGreaterThanOrEqual(0);
    expect(cpuMeter(undefined).perRequestUs(10)).toBeUndefined();
    expect(meter.perRequestUs(0)).toBeUndefined();
  });
});

describe("a process's children", () => {
  it('lists the processes it started, and none of a process that has none', async () => {
    if (process.platform !== 'linux') return;
    const child = spawn('sleep', ['5']);
    try {
      expect(childPids(process.pid)).toContain(child.pid);
      expect(childPids(child.pid!)).toEqual([]);
    } finally {
      child.kill();
    }
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

  it('counts a group from its start: this process, asked for its pid at each reading', () => {
    if (process.platform !== 'linux') return;
    const cpu = countCpu(() => ({ self: [process.pid] }));
    let x = 0;
    for (let i = 0; i < 5e7; i++) x += i;
    expect(x).toBeGreaterThan(0);
    // 5e7 additions take some ms of CPU, so well over 0 µs for each of 10 commands.
    expect(cpu.perCommand(10)?.self).toBeGreaterThan(0);
  });
});
