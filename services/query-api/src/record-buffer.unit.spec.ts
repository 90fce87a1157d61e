import { Writable } from 'node:stream';
import { Counter, Registry } from 'prom-client';
import { createLogger } from '@verity/events';
import { createRecordBuffer, type RecordBufferOptions } from './record-buffer';

/** A sink that takes batches, or fails while `down`, and can be held until released. */
function sink() {
  const batches: number[][] = [];
  let down = false;
  let hold: Promise<void> | undefined;
  return {
    batches,
    setDown: (value: boolean) => (down = value),
    holdUntil(released: Promise<void>): void {
      hold = released;
    },
    async send(batch: readonly number[]): Promise<void> {
      if (hold) await hold;
      if (down) throw new Error('sink down');
      batches.push([...batch]);
    },
  };
}

function setup(overrides: Partial<RecordBufferOptions<number>> = {}) {
  const target = sink();
  const registry = new Registry();
  const unrecorded = new Counter({
    name: 'unrecorded',
    help: 'unrecorded',
    labelNames: ['reason'],
    registers: [registry],
  });
  const lines: { msg: string; dropped: number }[] = [];
  const logger = createLogger(
    'test',
    'warn',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as { msg: string; dropped: number });
        done();
      },
    }),
  );
  const buffer = createRecordBuffer<number>({
    capacity: 5,
    batchSize: 3,
    flushEveryMs: 60_000,
    logEveryMs: 10_000,
    send: (batch) => target.send(batch),
    unrecorded,
    logger,
    what: 'test records',
    ...overrides,
  });
  const dropped = async (reason: string) =>
    (await unrecorded.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;
  return { buffer, target, dropped, lines };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('record buffer', () => {
  it('sends a full batch off the caller, and the rest at the interval', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const { buffer, target } = setup({ flushEveryMs: 200 });
      buffer.start();
      [1, 2, 3, 4].forEach((n) => buffer.add(n));
      // Nothing is sent inside add(): the caller is answering a request.
      expect(target.batches).toEqual([]);
      await turn();
      await turn();
      expect(target.batches).toEqual([[1, 2, 3]]);
      expect(buffer.size()).toBe(1);
      await jest.advanceTimersByTimeAsync(200);
      expect(target.batches).toEqual([[1, 2, 3], [4]]);
      expect(buffer.size()).toBe(0);
      await buffer.stop();
    } finally {
      jest.useRealTimers();
    }
  });

  it('holds at most `capacity` records, counts each one dropped, and logs the drops once per interval', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const { buffer, target, dropped, lines } = setup({ flushEveryMs: 200 });
      buffer.start();
      target.setDown(true);
      for (let n = 1; n <= 8; n++) buffer.add(n);
      expect(buffer.size()).toBe(5);
      expect(await dropped('buffer_full')).toBe(3);
      await jest.advanceTimersByTimeAsync(200);
      // The failed send kept its batch: nothing held was lost.
      expect(buffer.size()).toBe(5);
      const reported = () => lines.map((l) => [l.msg, l.dropped]);
      expect(reported()).toEqual([['test records: 3 not recorded since the last report; the sink is failing', 3]]);
      // Within the log interval a drop is counted, not logged; past it, it is logged with its count.
      buffer.add(9);
      await jest.advanceTimersByTimeAsync(200);
      expect(await dropped('buffer_full')).toBe(4);
      expect(reported()).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(10_000);
      expect(reported()).toEqual([
        ['test records: 3 not recorded since the last report; the sink is failing', 3],
        ['test records: 1 not recorded since the last report; the sink is failing', 1],
      ]);
      target.setDown(false);
      await buffer.stop();
      expect(target.batches).toEqual([
        [1, 2, 3],
        [4, 5],
      ]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('sends what the sink refused once it is back, in order', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const { buffer, target, dropped } = setup({ flushEveryMs: 200 });
      buffer.start();
      target.setDown(true);
      [1, 2].forEach((n) => buffer.add(n));
      await jest.advanceTimersByTimeAsync(200);
      expect(target.batches).toEqual([]);
      target.setDown(false);
      buffer.add(3);
      await jest.advanceTimersByTimeAsync(200);
      expect(target.batches.flat()).toEqual([1, 2, 3]);
      expect(await dropped('buffer_full')).toBe(0);
      await buffer.stop();
    } finally {
      jest.useRealTimers();
    }
  });

  it('counts a record being sent against the capacity', async () => {
    const { buffer, target, dropped } = setup();
    let release!: () => void;
    target.holdUntil(new Promise<void>((resolve) => (release = resolve)));
    [1, 2, 3].forEach((n) => buffer.add(n));
    await turn();
    // 1..3 are on their way: two more fit, the third does not.
    [4, 5, 6].forEach((n) => buffer.add(n));
    expect(await dropped('buffer_full')).toBe(1);
    release();
    await buffer.stop();
    expect(target.batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('on stop, sends what it holds, and counts what a dead sink did not take', async () => {
    const up = setup();
    [1, 2].forEach((n) => up.buffer.add(n));
    await up.buffer.stop();
    expect(up.target.batches).toEqual([[1, 2]]);
    expect(await up.dropped('shutdown')).toBe(0);

    const down = setup();
    down.target.setDown(true);
    [1, 2].forEach((n) => down.buffer.add(n));
    await down.buffer.stop();
    expect(await down.dropped('shutdown')).toBe(2);
    expect(down.lines.at(-1)).toMatchObject({ dropped: 2 });
  });
});
