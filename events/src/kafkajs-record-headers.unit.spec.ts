/**
 * patches/kafkajs+2.2.4.patch: kafkajs builds a record's headers in one object instead of
 * spreading a new one per header (a Verity event has 17, and a rebuild decodes every event of a
 * log). These pin what a consumer sees, through kafkajs's own record encoder and decoder.
 */
interface KafkajsEncoder {
  buffer: Buffer;
}
type RecordHeaders = Record<string, Buffer | Buffer[]>;

const encodeRecord = jest.requireActual<
  (record: { offsetDelta: number; key: Buffer; value: Buffer; headers: RecordHeaders }) => KafkajsEncoder
>('kafkajs/src/protocol/recordBatch/record/v0');
const Decoder =
  jest.requireActual<new (buffer: Buffer) => { readVarIntBytes(): Buffer }>('kafkajs/src/protocol/decoder');
const decodeRecord = jest.requireActual<
  (decoder: unknown, context: Record<string, unknown>) => { offset: string; headers: RecordHeaders }
>('kafkajs/src/protocol/recordBatch/record/v0/decoder');

function roundTrip(headers: RecordHeaders): RecordHeaders {
  const encoded = encodeRecord({ offsetDelta: 2, key: Buffer.from('k'), value: Buffer.from('v'), headers }).buffer;
  // As the batch decoder reads a record: its length-prefixed bytes, then the record itself.
  const record = new Decoder(encoded).readVarIntBytes();
  const decoded = decodeRecord(new Decoder(record), { firstOffset: '40', firstTimestamp: '1700000000000' });
  expect(decoded.offset).toBe('42');
  return decoded.headers;
}

const text = (value: Buffer | Buffer[] | undefined): unknown =>
  Array.isArray(value) ? value.map((v) => v.toString()) : value?.toString();

describe('kafkajs record headers (patched decoder)', () => {
  it('decodes every header of an event as an own property with its bytes', () => {
    const sent = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`ce_h${i}`, Buffer.from(`value-${i}`)]));
    const headers = roundTrip(sent);
    expect(Object.keys(headers)).toEqual(Object.keys(sent));
    for (const [key, value] of Object.entries(sent)) expect(text(headers[key])).toBe(value.toString());
  });

  it('gathers a repeated key into an array in the order sent', () => {
    const headers = roundTrip({
      once: Buffer.from('a'),
      twice: [Buffer.from('1'), Buffer.from('2'), Buffer.from('3')],
    });
    expect(text(headers.once)).toBe('a');
    expect(text(headers.twice)).toEqual(['1', '2', '3']);
  });

  it('keeps keys named like Object.prototype members as plain headers', () => {
    const headers = roundTrip({ ['__proto__']: Buffer.from('p'), toString: Buffer.from('t') });
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
    expect(Object.keys(headers).sort()).toEqual(['__proto__', 'toString']);
    expect(text(Object.getOwnPropertyDescriptor(headers, '__proto__')?.value as Buffer)).toBe('p');
    expect(text(headers.toString as unknown as Buffer)).toBe('t');
  });
});
