import { checkpointsChannel, encodeCheckpointNotice, parseCheckpointNotice } from './checkpoint-notice';

describe('checkpoint notices', () => {
  const notice = {
    schema: 'read_models',
    projection: 'pricing',
    topic: 'verity.pricing.events',
    partition: 2,
    offset: '41',
  };

  it('read back as they were written', () => {
    expect(parseCheckpointNotice(encodeCheckpointNotice(notice))).toEqual(notice);
  });

  it('are nothing when the message is not one', () => {
    expect(parseCheckpointNotice('not json')).toBeUndefined();
    expect(parseCheckpointNotice(JSON.stringify({ ...notice, offset: 41 }))).toBeUndefined();
    expect(parseCheckpointNotice(JSON.stringify({ ...notice, partition: -1 }))).toBeUndefined();
    expect(parseCheckpointNotice(JSON.stringify({ context: 'inventory', tenant: 'acme' }))).toBeUndefined();
  });

  it('go on a channel of the deployment, apart from the change notices', () => {
    expect(checkpointsChannel('verity')).toBe('verity:checkpoints');
  });
});
