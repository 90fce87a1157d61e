import { spawn } from 'node:child_process';
import { childPids, cpuMeter, processCpuMs, statCpuMs } from './process-cpu';

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
