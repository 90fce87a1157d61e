import { infraStatus, infraUp } from './index';

jest.setTimeout(600_000);

const quiet = { onProgress: (): void => undefined };

// Never calls infraDown: other suites share the stack.
describe('the local stack', () => {
  it('reports every component running and healthy after up', async () => {
    await infraUp(quiet);
    const status = await infraStatus();
    expect(status.map((s) => [s.name, s.state])).toEqual([
      ['postgres', 'running'],
      ['redis', 'running'],
      ['kafka', 'running'],
      ['schema-registry', 'running'],
      ['kafka-connect', 'running'],
    ]);
  });

  it('is idempotent: a second up starts nothing and keeps the pids', async () => {
    const first = await infraUp(quiet);
    const lines: string[] = [];
    const second = await infraUp({ onProgress: (line) => lines.push(line) });
    expect(second.map((s) => s.pid)).toEqual(first.map((s) => s.pid));
    expect(lines.filter((l) => l.includes('starting'))).toEqual([]);
  });
});
