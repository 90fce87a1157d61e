import { residentMb, vmRssKb } from './process-memory';

describe('process memory', () => {
  it('reads VmRSS in kB from /proc/<pid>/status', () => {
    const status = 'Name:\tnode\nVmPeak:\t 1200000 kB\nVmRSS:\t  204800 kB\nRssAnon:\t  150000 kB\n';
    expect(vmRssKb(status)).toBe(204800);
    expect(() => vmRssKb('Name:\tkthreadd\n')).toThrow(/no VmRSS/);
  });

  it("reads this process's own, and nothing of a process that is not there", () => {
    if (process.platform !== 'linux') return;
    expect(residentMb(process.pid)).toBeGreaterThan(10);
    expect(residentMb(2 ** 22 + 1)).toBeUndefined();
  });
});
