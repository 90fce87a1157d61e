import { describeExit, stopGracefully, type ChildExit, type Signalable } from './stop';

function fakeProcess(endsOn: NodeJS.Signals[]): Signalable & { signals: NodeJS.Signals[] } {
  let end: (exit: ChildExit) => void = () => undefined;
  const signals: NodeJS.Signals[] = [];
  return {
    signals,
    exited: new Promise((resolve) => (end = resolve)),
    signal(signal) {
      signals.push(signal);
      if (endsOn.includes(signal)) end(signal === 'SIGTERM' ? { code: 0, signal: null } : { code: null, signal });
    },
  };
}

describe('stopping a process gracefully', () => {
  it('SIGTERM only, when it ends in time', async () => {
    const target = fakeProcess(['SIGTERM']);
    expect(await stopGracefully(target, 1000)).toEqual({ exit: { code: 0, signal: null }, killed: false });
    expect(target.signals).toEqual(['SIGTERM']);
  });

  it('SIGKILL after the grace period otherwise', async () => {
    const target = fakeProcess(['SIGKILL']);
    expect(await stopGracefully(target, 10)).toEqual({ exit: { code: null, signal: 'SIGKILL' }, killed: true });
    expect(target.signals).toEqual(['SIGTERM', 'SIGKILL']);
  });

  it('describes an exit by its code or its signal', () => {
    expect(describeExit({ code: 1, signal: null })).toBe('code 1');
    expect(describeExit({ code: null, signal: 'SIGKILL' })).toBe('signal SIGKILL');
  });
});
