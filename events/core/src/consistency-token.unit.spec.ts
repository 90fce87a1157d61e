import { decodeConsistencyToken, encodeConsistencyToken, InvalidConsistencyTokenError } from './consistency-token';

describe('consistency token', () => {
  it('round-trips topic and offsets', () => {
    const token = { topic: 'verity.inventory.events', offsets: { 0: '12', 2: '7' } };
    expect(decodeConsistencyToken(encodeConsistencyToken(token))).toEqual({
      topic: 'verity.inventory.events',
      offsets: { '0': '12', '2': '7' },
    });
  });

  it.each([
    'not-base64-json',
    Buffer.from('{"topic":1}').toString('base64url'),
    Buffer.from('{"topic":"t","offsets":{"x":"1"}}').toString('base64url'),
  ])('refuses %p with a named error', (raw) => {
    expect(() => decodeConsistencyToken(raw)).toThrow(InvalidConsistencyTokenError);
  });
});
