import type { CommandReply } from '@verity/core';
import { eventsEndKey, outcomeOfReply, rejectionProblem } from './row-outcome';

const accepted = (offset: string, partition = 1): CommandReply => ({
  status: 'accepted',
  commandId: 'c',
  fingerprint: 'f',
  streamId: 'acme/A',
  version: 1,
  events: [{ type: 'StockReceived', topic: 't.events', partition, offset }],
  consistencyToken: 'x',
});

describe('outcomeOfReply', () => {
  const ends = new Map([[eventsEndKey('t.events', 1), 100n]]);

  it('tells a repeat (its events lie before where the log ended at the start) from a new import', () => {
    expect(outcomeOfReply(accepted('99'), ends)).toBe('repeated');
    expect(outcomeOfReply(accepted('100'), ends)).toBe('imported');
    expect(outcomeOfReply(accepted('0', 2), ends)).toBe('imported');
  });

  it('reports a rejection with its code, reason and details', () => {
    const rejected: CommandReply = {
      status: 'rejected',
      commandId: 'c',
      fingerprint: 'f',
      streamId: 'acme/A',
      version: 0,
      code: 'insufficient_stock',
      reason: 'only 2 available',
      details: { available: 2 },
    };
    expect(outcomeOfReply(rejected, ends)).toBe('rejected');
    expect(rejectionProblem(rejected)).toEqual({
      code: 'insufficient_stock',
      reason: 'only 2 available',
      details: { available: 2 },
    });
  });
});
