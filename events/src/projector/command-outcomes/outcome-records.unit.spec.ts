import type { CommandReply } from '@verity/core';
import { latestOutcomes, outcomeRecordOf, parseCommandReply, type OutcomeRecord } from './outcome-records';

const accepted: CommandReply = {
  status: 'accepted',
  commandId: 'c-1',
  fingerprint: 'f-1',
  streamId: 'acme/SKU-1',
  version: 3,
  events: [{ type: 'verity.inventory.StockReceived', topic: 't.inventory.events', partition: 0, offset: '7' }],
  consistencyToken: 'tok',
};
const rejected: CommandReply = {
  status: 'rejected',
  commandId: 'c-1',
  fingerprint: 'f-1',
  streamId: 'acme/SKU-1',
  version: 3,
  code: 'version_conflict',
  reason: 'expected version 1',
  details: { expectedVersion: 1 },
};

describe('command reply records', () => {
  it('parses the JSON the processor writes, from bytes, text or an object', () => {
    expect(parseCommandReply(Buffer.from(JSON.stringify(accepted)))).toEqual(accepted);
    expect(parseCommandReply(JSON.stringify(rejected))).toEqual(rejected);
    expect(parseCommandReply(rejected)).toEqual(rejected);
  });

  it('is undefined for what is not a reply', () => {
    expect(parseCommandReply(Buffer.from([0, 1, 2]))).toBeUndefined();
    expect(parseCommandReply('{"status":"accepted"}')).toBeUndefined();
    expect(parseCommandReply({ ...accepted, status: 'maybe' })).toBeUndefined();
  });

  it('an outcome row takes its tenant from the stream and its time from the record', () => {
    expect(outcomeRecordOf({ value: Buffer.from(JSON.stringify(accepted)), timestamp: '1700000000000' })).toEqual({
      commandId: 'c-1',
      tenant: 'acme',
      streamId: 'acme/SKU-1',
      reply: accepted,
      recordedAt: new Date(1_700_000_000_000),
    });
    expect(outcomeRecordOf({ value: null, timestamp: '1' })).toBeUndefined();
    const noTenant = { ...accepted, streamId: 'SKU-1' };
    expect(outcomeRecordOf({ value: Buffer.from(JSON.stringify(noTenant)), timestamp: '1' })).toBeUndefined();
  });
});

describe('one outcome per command in a batch', () => {
  const at = (reply: CommandReply, ms: number): OutcomeRecord => ({
    commandId: reply.commandId,
    tenant: 'acme',
    streamId: reply.streamId,
    reply,
    recordedAt: new Date(ms),
  });

  it('a repeat answered with the original reply keeps the time of the first', () => {
    expect(latestOutcomes([at(accepted, 1), at({ ...accepted }, 2)])).toEqual([at(accepted, 1)]);
  });

  it('a different reply for the same command replaces it', () => {
    expect(latestOutcomes([at(accepted, 1), at(rejected, 2), at({ ...accepted, commandId: 'c-2' }, 3)])).toEqual([
      at(rejected, 2),
      at({ ...accepted, commandId: 'c-2' }, 3),
    ]);
  });
});
