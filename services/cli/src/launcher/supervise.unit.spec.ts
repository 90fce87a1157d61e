import type { ChildExit } from './stop';
import { supervise, type SupervisedChild } from './supervise';

/** What a fake service does when told SIGTERM. */
type OnTerm = 'exits' | 'fails' | 'hangs';

/** A fake service: how it behaves, set by the test before or after it is started. */
interface FakeService {
  name: string;
  onTerm?: OnTerm;
  started?: boolean;
  ready?: boolean;
}

interface FakeChild extends SupervisedChild {
  readonly service: FakeService;
  readonly signals: NodeJS.Signals[];
  /** Ends by itself. */
  die(exit: ChildExit): void;
}

function fakeChild(service: FakeService): FakeChild {
  let resolveExit: (exit: ChildExit) => void = () => undefined;
  const exited = new Promise<ChildExit>((resolve) => (resolveExit = resolve));
  let exit: ChildExit | undefined;
  const end = (how: ChildExit): void => {
    if (exit) return;
    exit = how;
    resolveExit(how);
  };
  const signals: NodeJS.Signals[] = [];
  return {
    name: service.name,
    service,
    signals,
    get exit() {
      return exit;
    },
    exited,
    signal(signal) {
      signals.push(signal);
      const onTerm = service.onTerm ?? 'exits';
      if (signal === 'SIGKILL') end({ code: null, signal });
      else if (onTerm === 'exits') end({ code: 0, signal: null });
      else if (onTerm === 'fails') end({ code: 1, signal: null });
    },
    lastLines: () => [`{"service":"${service.name}","msg":"last words"}`],
    die: end,
  };
}

const answer = (ok: boolean, path: string) => ({ ok, answer: ok ? `${path} 200` : `${path} 503 {"status":"down"}` });

/** Runs supervise over fake services with short bounds; the operator's stop is in the test's hands. */
function supervised(services: FakeService[]) {
  let requestStop: (signal: string) => void = () => undefined;
  const stopRequested = new Promise<string>((resolve) => (requestStop = resolve));
  let announce: () => void = () => undefined;
  const announced = new Promise<void>((resolve) => (announce = resolve));
  const children: FakeChild[] = [];
  let readyCalls = 0;
  const reports: string[] = [];
  const exitCode = supervise({
    services,
    start: (service) => {
      const child = fakeChild(service);
      children.push(child);
      return child;
    },
    started: async (child) => answer(child.service.started ?? true, '/health'),
    ready: async (child) => answer(child.service.ready ?? true, '/ready'),
    stopRequested,
    onReady: () => {
      readyCalls += 1;
      announce();
    },
    report: (message) => reports.push(message),
    readyTimeoutMs: 300,
    probeIntervalMs: 5,
    graceMs: 50,
  });
  return { exitCode, requestStop, announced, children, reports, readyCalls: () => readyCalls };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('supervising service processes', () => {
  it('starts each service once the one before has started, and announces once all are ready', async () => {
    const first: FakeService = { name: 'command-processor', started: false };
    const second: FakeService = { name: 'gateway', ready: false };
    const run = supervised([first, second]);
    await tick();
    expect(run.children.map((c) => c.name)).toEqual(['command-processor']);
    first.started = true;
    await tick();
    expect(run.children.map((c) => c.name)).toEqual(['command-processor', 'gateway']);
    expect(run.readyCalls()).toBe(0);
    second.ready = true;
    await run.announced;
    run.requestStop('SIGTERM');
    expect(await run.exitCode).toBe(0);
  });

  it('a stop request sends each service SIGTERM, once, and exits 0', async () => {
    const run = supervised([{ name: 'command-processor' }, { name: 'gateway' }]);
    await run.announced;
    run.requestStop('SIGTERM');
    expect(await run.exitCode).toBe(0);
    expect(run.readyCalls()).toBe(1);
    expect(run.children.map((c) => c.signals)).toEqual([['SIGTERM'], ['SIGTERM']]);
    expect(run.reports).toEqual(['stopping command-processor, gateway on SIGTERM']);
  });

  it('a service still there after the grace period gets SIGKILL, and the exit code says so', async () => {
    const run = supervised([{ name: 'projector', onTerm: 'hangs' }, { name: 'query-api' }]);
    await run.announced;
    run.requestStop('SIGINT');
    expect(await run.exitCode).toBe(1);
    expect(run.children.map((c) => c.signals)).toEqual([['SIGTERM', 'SIGKILL'], ['SIGTERM']]);
    expect(run.reports[1]).toMatch(
      /^projector did not stop within 50 ms after SIGTERM: killed; its last lines:\n {2}\{/,
    );
  });

  it('a service that fails its stop makes the exit code 1', async () => {
    const run = supervised([{ name: 'gateway', onTerm: 'fails' }]);
    await run.announced;
    run.requestStop('SIGTERM');
    expect(await run.exitCode).toBe(1);
    expect(run.reports[1]).toMatch(/^gateway ended with code 1 while stopping; its last lines:/);
  });

  it('a service that ends while running is reported at once with its last lines; the others are stopped; exit 1', async () => {
    const run = supervised([{ name: 'command-processor' }, { name: 'projector' }, { name: 'gateway' }]);
    await run.announced;
    run.children[1]!.die({ code: null, signal: 'SIGKILL' });
    expect(await run.exitCode).toBe(1);
    expect(run.reports).toEqual([
      'projector ended by itself (signal SIGKILL) while running; its last lines:\n  {"service":"projector","msg":"last words"}',
      'stopping command-processor, gateway after the failure above',
    ]);
    expect(run.children.map((c) => c.signals)).toEqual([['SIGTERM'], [], ['SIGTERM']]);
  });

  it('a service that ends while starting fails the start: the next is not started, nothing is announced', async () => {
    const run = supervised([{ name: 'command-processor' }, { name: 'projector', started: false }, { name: 'gateway' }]);
    await tick();
    run.children[1]!.die({ code: 1, signal: null });
    expect(await run.exitCode).toBe(1);
    expect(run.readyCalls()).toBe(0);
    expect(run.children.map((c) => c.name)).toEqual(['command-processor', 'projector']);
    expect(run.reports[0]).toMatch(/^projector ended by itself \(code 1\) while starting; its last lines:/);
    expect(run.children[0]!.signals).toEqual(['SIGTERM']);
  });

  it('a service not ready in time is named with its last answer; the start fails', async () => {
    const run = supervised([{ name: 'command-processor' }, { name: 'projector', ready: false }]);
    expect(await run.exitCode).toBe(1);
    expect(run.readyCalls()).toBe(0);
    expect(run.reports).toEqual([
      expect.stringMatching(
        /^projector did not become ready within 300 ms \(last answer: \/ready 503 \{"status":"down"\}\); its last lines:/,
      ),
      'stopping command-processor, projector after the failure above',
    ]);
  });

  it('a stop requested while starting stops what started and exits 0', async () => {
    const run = supervised([{ name: 'gateway', started: false }, { name: 'query-api' }]);
    await tick();
    run.requestStop('SIGINT');
    expect(await run.exitCode).toBe(0);
    expect(run.readyCalls()).toBe(0);
    expect(run.children.map((c) => c.name)).toEqual(['gateway']);
    expect(run.reports).toEqual(['stopping gateway on SIGINT']);
  });
});
