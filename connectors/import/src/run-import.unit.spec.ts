import type { CommandEnvelope, CommandReply } from '@verity/core';
import { contexts } from '@verity/domain';
import type { ReadRow } from './read-rows';
import { rowPlanner } from './row-plan';
import { countResults, noCounts, reportLine, runImport, type RowResult } from './run-import';

const planner = rowPlanner(contexts, {
  type: 'inventory.ReceiveStock',
  tenant: 'acme',
  actor: 'cli:ops',
  sourceSystem: 'api',
  fileId: 'f00d',
  format: 'csv',
});

async function* rowsOf(rows: Record<string, string>[]): AsyncGenerator<ReadRow> {
  for (const [i, fields] of rows.entries()) yield { row: i + 1, fields };
}

const receive = (sku: string, quantity = '1') => ({ sku, location: 'main', quantity });

function acceptedReply(envelope: CommandEnvelope, offset = 1000): CommandReply {
  return {
    status: 'accepted',
    commandId: envelope.commandId,
    fingerprint: 'f',
    streamId: envelope.streamId,
    version: 1,
    events: [{ type: 'StockReceived', topic: 'events', partition: 0, offset: String(offset) }],
    consistencyToken: 't',
  };
}

/** A processor stand-in: answers each command after `delay` ms, recording what it was sent and how many waited at once. */
function fakeProcessor(delay = (_e: CommandEnvelope) => 5) {
  const sent: string[] = [];
  let open = 0;
  let most = 0;
  const send = async (envelope: CommandEnvelope): Promise<CommandReply> => {
    sent.push(envelope.commandId);
    most = Math.max(most, ++open);
    await new Promise((r) => setTimeout(r, delay(envelope)));
    open--;
    return envelope.payload.quantity === 13
      ? { ...acceptedReply(envelope), status: 'rejected', code: 'unlucky', reason: 'no 13s', version: 0 }
      : acceptedReply(envelope);
  };
  return { send, sent, most: () => most };
}

describe('runImport', () => {
  it('sends valid rows, reports invalid and rejected ones, releases results in row order', async () => {
    const processor = fakeProcessor();
    const released: RowResult[] = [];
    const dones: number[] = [];
    // Row 1 is answered last, once the three other commands have their replies.
    let othersAnswered = 0;
    let openGate = (): void => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const result = await runImport({
      rows: rowsOf([receive('A'), receive('B'), receive('C', 'x'), receive('D', '13'), receive('E')]),
      planner,
      from: 0,
      send: async (envelope) => {
        if (envelope.payload.sku === 'A') await gate;
        const reply = await processor.send(envelope);
        if (envelope.payload.sku !== 'A' && ++othersAnswered === 3) openGate();
        return reply;
      },
      ends: new Map(),
      concurrency: 4,
      onResults: (results, done) => {
        released.push(...results);
        dones.push(done);
      },
    });
    expect(result).toEqual({ done: 5, stopped: false });
    expect(released.map((r) => [r.row, r.outcome])).toEqual([
      [1, 'imported'],
      [2, 'imported'],
      [3, 'invalid'],
      [4, 'rejected'],
      [5, 'imported'],
    ]);
    // Row 1 was slow: nothing was released before it, then everything at once.
    expect(dones).toEqual([5]);
    expect(processor.sent).not.toContain('import:f00d:3');
    expect(countResults(noCounts(), released)).toEqual({
      imported: 3,
      repeated: 0,
      rejected: 1,
      invalid: 1,
      pending: 0,
    });
    expect(JSON.parse(reportLine(released[3]!))).toEqual({
      row: 4,
      outcome: 'rejected',
      commandId: 'import:f00d:4',
      fields: receive('D', '13'),
      problem: { code: 'unlucky', reason: 'no 13s' },
    });
  });

  it('keeps at most `concurrency` commands waiting, and sends a stream’s commands one after the other in file order', async () => {
    const order: string[] = [];
    const processor = fakeProcessor();
    const rows = Array.from({ length: 40 }, (_, i) => receive(`S${i % 3}`, String(i + 1)));
    await runImport({
      rows: rowsOf(rows),
      planner,
      from: 0,
      send: async (envelope) => {
        order.push(`${String(envelope.payload.sku)}:${String(envelope.payload.quantity)}`);
        return processor.send(envelope);
      },
      ends: new Map(),
      concurrency: 2,
      onResults: () => undefined,
    });
    expect(processor.most()).toBeLessThanOrEqual(2);
    for (const sku of ['S0', 'S1', 'S2']) {
      const sent = order.filter((o) => o.startsWith(`${sku}:`)).map((o) => Number(o.split(':')[1]));
      expect(sent).toEqual([...sent].sort((a, b) => a - b));
    }
  });

  it('skips the rows a checkpoint covers, and counts a repeat as already imported', async () => {
    const processor = fakeProcessor();
    const released: RowResult[] = [];
    await runImport({
      rows: rowsOf([receive('A'), receive('B'), receive('C')]),
      planner,
      from: 2,
      send: processor.send,
      ends: new Map([['events:0', 5000n]]),
      concurrency: 4,
      onResults: (results) => released.push(...results),
    });
    expect(processor.sent).toEqual(['import:f00d:3']);
    expect(released.map((r) => [r.row, r.outcome])).toEqual([[3, 'repeated']]);
  });

  it('stops sending once aborted, and releases only rows whose outcome is known', async () => {
    const stop = new AbortController();
    const processor = fakeProcessor();
    const released: RowResult[] = [];
    const result = await runImport({
      rows: rowsOf(Array.from({ length: 50 }, (_, i) => receive(`S${i}`))),
      planner,
      from: 0,
      send: async (envelope) => {
        if (envelope.commandId === 'import:f00d:10') stop.abort();
        return processor.send(envelope);
      },
      ends: new Map(),
      concurrency: 3,
      onResults: (results) => released.push(...results),
      signal: stop.signal,
    });
    expect(result.stopped).toBe(true);
    expect(processor.sent.length).toBeLessThan(13);
    expect(released.map((r) => r.row)).toEqual(Array.from({ length: result.done }, (_, i) => i + 1));
  });

  it('throws the first failed send once the rows in flight are answered, and sends nothing after it', async () => {
    const processor = fakeProcessor();
    const released: RowResult[] = [];
    const run = runImport({
      rows: rowsOf(Array.from({ length: 30 }, (_, i) => receive(`S${i}`))),
      planner,
      from: 0,
      send: async (envelope) => {
        if (envelope.commandId === 'import:f00d:5') throw new Error('broker gone');
        return processor.send(envelope);
      },
      ends: new Map(),
      concurrency: 3,
      onResults: (results) => released.push(...results),
    });
    await expect(run).rejects.toThrow('broker gone');
    expect(processor.sent.length).toBeLessThan(9);
    expect(released.map((r) => r.row)).toEqual([1, 2, 3, 4]);
  });

  it('reports a command with no reply in time as pending', async () => {
    const released: RowResult[] = [];
    await runImport({
      rows: rowsOf([receive('A')]),
      planner,
      from: 0,
      send: () => Promise.resolve(undefined),
      ends: new Map(),
      concurrency: 1,
      onResults: (results) => released.push(...results),
    });
    expect(released).toMatchObject([
      { row: 1, outcome: 'pending', commandId: 'import:f00d:1', problem: { code: 'reply_timeout' } },
    ]);
  });
});
