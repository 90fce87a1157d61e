/**
 * patches/kafkajs+2.2.4.patch: kafkajs decodes a record's headers into one object instead of
 * spreading a new one per header (a Verity event has 17, and a rebuild decodes every event of a
 * log), header keys without a Buffer each and, once seen, without a new string each (found again
 * by their bytes), and offsets and timestamps without a Long each. These pin what a consumer
 * sees, through kafkajs's own record encoder and decoder.
 */
interface KafkajsEncoder {
  buffer: Buffer;
}
type RecordHeaders = Record<string, Buffer | Buffer[]>;
interface Sent {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer;
  value: Buffer;
  headers: RecordHeaders;
}
interface Decoded {
  offset: string;
  timestamp: string;
  headers: RecordHeaders;
}

const encodeRecord = jest.requireActual<(record: Sent) => KafkajsEncoder>('kafkajs/src/protocol/recordBatch/record/v0');
const Decoder =
  jest.requireActual<new (buffer: Buffer) => { readVarIntBytes(): Buffer }>('kafkajs/src/protocol/decoder');
const decodeRecord = jest.requireActual<(decoder: unknown, context: Record<string, unknown>) => Decoded>(
  'kafkajs/src/protocol/recordBatch/record/v0/decoder',
);

function roundTrip(
  headers: RecordHeaders,
  { firstOffset = '40', firstTimestamp = '1700000000000', offsetDelta = 2, timestampDelta = 5 } = {},
): Decoded {
  const encoded = encodeRecord({
    offsetDelta,
    timestampDelta,
    key: Buffer.from('k'),
    value: Buffer.from('v'),
    headers,
  });
  // As the batch decoder reads a record: its length-prefixed bytes, then the record itself.
  const record = new Decoder(encoded.buffer).readVarIntBytes();
  return decodeRecord(new Decoder(record), { firstOffset, firstTimestamp });
}

const text = (value: Buffer | Buffer[] | undefined): unknown =>
  Array.isArray(value) ? value.map((v) => v.toString()) : value?.toString();

describe('kafkajs record decoding (patched)', () => {
  it('adds the deltas to the first offset and timestamp of the batch', () => {
    expect(roundTrip({})).toMatchObject({ offset: '42', timestamp: '1700000000005' });
  });

  it('adds them exactly past 2^53, where plain numbers round', () => {
    const decoded = roundTrip({}, { firstOffset: '9007199254740993', firstTimestamp: '9007199254740993' });
    expect(decoded).toMatchObject({ offset: '9007199254740995', timestamp: '9007199254740998' });
  });

  it('decodes every header of an event as an own property with its bytes', () => {
    const sent = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`ce_h${i}`, Buffer.from(`value-${i}`)]));
    const { headers } = roundTrip(sent);
    expect(Object.keys(headers)).toEqual(Object.keys(sent));
    for (const [key, value] of Object.entries(sent)) expect(text(headers[key])).toBe(value.toString());
  });

  it('gathers a repeated key into an array in the order sent', () => {
    const { headers } = roundTrip({
      once: Buffer.from('a'),
      twice: [Buffer.from('1'), Buffer.from('2'), Buffer.from('3')],
    });
    expect(text(headers.once)).toBe('a');
    expect(text(headers.twice)).toEqual(['1', '2', '3']);
  });

  it('keeps keys named like Object.prototype members as plain headers', () => {
    const { headers } = roundTrip({ ['__proto__']: Buffer.from('p'), toString: Buffer.from('t') });
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
    expect(Object.keys(headers).sort()).toEqual(['__proto__', 'toString']);
    expect(text(Object.getOwnPropertyDescriptor(headers, '__proto__')?.value as Buffer)).toBe('p');
    expect(text(headers.toString as unknown as Buffer)).toBe('t');
  });

  it('decodes the same keys on every record, and keys whose bytes hash alike apart', () => {
    // "Aa" and "BB" have the same 31-polynomial hash: found again by their bytes, not their hash.
    for (let i = 0; i < 3; i++) {
      const { headers } = roundTrip({ Aa: Buffer.from(`a${i}`), BB: Buffer.from(`b${i}`) });
      expect(Object.keys(headers)).toEqual(['Aa', 'BB']);
      expect([text(headers.Aa), text(headers.BB)]).toEqual([`a${i}`, `b${i}`]);
    }
    expect(Object.keys(roundTrip({ BB: Buffer.from('b') }).headers)).toEqual(['BB']);
  });

  it('decodes multi-byte UTF-8 keys and keys too long to keep, record after record', () => {
    const long = `ce_${'x'.repeat(100)}`;
    for (let i = 0; i < 2; i++) {
      const { headers } = roundTrip({ clé: Buffer.from('1'), ключ: Buffer.from('2'), [long]: Buffer.from('3') });
      expect(Object.keys(headers)).toEqual(['clé', 'ключ', long]);
      expect([text(headers['clé']), text(headers['ключ']), text(headers[long])]).toEqual(['1', '2', '3']);
    }
  });
});
