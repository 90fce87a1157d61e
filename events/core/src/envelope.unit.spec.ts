import { parseStreamId, streamIdOf } from './envelope';

describe('stream ids', () => {
  it('parse back into the tenant and aggregate id they were built from; the aggregate id may hold slashes', () => {
    expect(parseStreamId(streamIdOf('acme', 'SKU-1'))).toEqual({ tenant: 'acme', aggregateId: 'SKU-1' });
    expect(parseStreamId('acme/a/b')).toEqual({ tenant: 'acme', aggregateId: 'a/b' });
  });

  it.each(['acme', '/SKU-1', 'acme/', ''])('%p is no stream id', (streamId) => {
    expect(parseStreamId(streamId)).toBeUndefined();
  });
});
