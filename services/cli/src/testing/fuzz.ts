import { connect } from 'node:net';

/** mulberry32: a small seeded PRNG, so a failing run is repeated by its seed. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** `count` bytes, each 0–255. */
  bytes(count: number): Buffer {
    const out = Buffer.alloc(count);
    for (let i = 0; i < count; i++) out[i] = this.int(256);
    return out;
  }
}

/** Characters that break parsers: controls, C1, separators, surrogate halves, bidi overrides, emoji, quotes. */
const NASTY = [
  '\u0000',
  '\u0001',
  '\t',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009f',
  '\u00a0',
  '\u2028',
  '\u202e',
  '\ufeff',
  '\uffff',
  '\ud800',
  '\udfff',
  '😀',
  '𝕏',
  'é',
  'ß',
  '中',
  '"',
  "'",
  '`',
  '\\',
  '/',
  '..',
  '%',
  '&',
  '=',
  '?',
  '#',
  '+',
  ';',
  '<',
  '>',
  '{',
  '}',
  '[',
  ']',
  '$',
  '${',
  '*',
  ' ',
];

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `text` percent-encoded, a lone surrogate (which cannot be encoded) as the escape of one. */
export function encodeJunk(text: string): string {
  return encodeURIComponent(text.replace(LONE_SURROGATE, '\ufffd')).replace(/%EF%BF%BD/g, '%ED%A0%80');
}

/** Escapes that are not well-formed UTF-8, or decode to controls. */
const BAD_ESCAPES = [
  '%ED%A0%80',
  '%ED%BF%BF',
  '%C0%AF',
  '%C0%80',
  '%E0%80%AF',
  '%F8%88%80%80%80',
  '%FF',
  '%FE',
  '%80',
  '%C2',
  '%E0%A4%A',
  '%zz',
  '%',
  '%%',
  '%0',
  '%00',
  '%0A',
  '%0D',
  '%1B',
  '%7F',
  '%C2%85',
  '%C2%9F',
  '%u0041',
];

const GOOD_ESCAPES = ['%20', '%2F', '%2E%2E', '%C3%A9', '%F0%9F%98%80', '%E2%80%AE', '%EF%BB%BF', '%25', '%3F', '%23'];

const WORDS = [
  'SKU-1',
  'berlin',
  'default',
  'acme',
  "' OR 1=1--",
  '${jndi:ldap://x}',
  '../../etc/passwd',
  '<script>',
  'null',
  'undefined',
  'NaN',
  '-1',
  '0',
  '1e309',
  '99999999999999999999999',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
];

/** A string of random printable ASCII, unicode and nasty characters. */
export function junkText(rng: Rng, max = 40): string {
  let out = '';
  const length = rng.int(max) + 1;
  for (let i = 0; i < length; i++) {
    const kind = rng.int(4);
    if (kind === 0) out += String.fromCharCode(0x20 + rng.int(0x5f));
    else if (kind === 1) out += rng.pick(NASTY);
    else if (kind === 2) out += String.fromCodePoint(rng.int(0x10ffff));
    else out += rng.pick(WORDS);
  }
  return out;
}

/**
 * A path segment or query value as it goes on the wire: malformed escapes, raw bytes (sent
 * as latin1), valid escapes of odd characters, or very long.
 */
export function junkSegment(rng: Rng): string {
  switch (rng.int(6)) {
    case 0:
      return `${rng.pick(WORDS).replace(/[^A-Za-z0-9-]/g, '')}${rng.pick(BAD_ESCAPES)}`;
    case 1:
      return Array.from({ length: rng.int(4) + 1 }, () =>
        rng.chance(0.5) ? rng.pick(BAD_ESCAPES) : rng.pick(GOOD_ESCAPES),
      ).join('');
    case 2:
      // Raw bytes, CR and LF apart (those end the request line: a different request, not a worse one).
      return [...rng.bytes(rng.int(12) + 1)]
        .filter((b) => b !== 0x0d && b !== 0x0a && b !== 0x20)
        .map((b) => String.fromCharCode(b))
        .join('');
    case 3:
      // Lone surrogates cannot be encoded: they go on the wire as the escape of one.
      return encodeJunk(junkText(rng));
    case 4:
      return 'x'.repeat(rng.pick([300, 2000, 9000, 20_000]));
    default:
      return rng.pick(WORDS).replace(/ /g, '%20');
  }
}

export function junkQuery(rng: Rng): string {
  const pairs = Array.from({ length: rng.int(5) + 1 }, () => {
    const key = rng.chance(0.6)
      ? rng.pick([
          'limit',
          'cursor',
          'threshold',
          'sku',
          'quantity',
          'customer',
          'priceListId',
          'at',
          'context',
          'status',
          'query',
          'variables',
        ])
      : junkSegment(rng);
    return rng.chance(0.1) ? key : `${key}=${junkSegment(rng)}`;
  });
  return `?${pairs.join(rng.chance(0.9) ? '&' : ';')}`;
}

/** One malformed header line (or a few), each a way a header can be wrong. */
export function junkHeaders(rng: Rng): string[] {
  const value = () => junkSegment(rng).replace(/[\r\n]/g, '');
  switch (rng.int(12)) {
    case 0:
      return [`X-Tenant-Id: ${value()}`];
    case 1:
      return [`Idempotency-Key: ${value()}`];
    case 2:
      return [`If-Match: ${value()}`];
    case 3:
      return [`If-None-Match: ${value()}`];
    case 4:
      return [`X-Consistency-Token: ${rng.chance(0.5) ? rng.bytes(rng.int(60)).toString('base64url') : value()}`];
    case 5:
      return [`X-Expected-Version: ${value()}`, `X-Source-Timestamp: ${value()}`, `X-Source-System: ${value()}`];
    case 6:
      return [`X-${junkSegment(rng).replace(/[^A-Za-z0-9-]/g, '')}: ${value()}`];
    case 7:
      // A control character in a value, or a name that is not a token.
      return [rng.chance(0.5) ? `X-Thing: a\u0001b\u007f` : `Bad Name\u0000: x`];
    case 8:
      return [`X-Huge: ${'h'.repeat(rng.pick([4000, 17_000, 40_000]))}`];
    case 9:
      return ['Transfer-Encoding: chunked', 'Content-Length: 5'];
    case 10:
      return [`Accept: ${value()}`, `Accept-Encoding: ${value()}`];
    default:
      return [`X-Tenant-Id: ${rng.pick(['', ' ', 'A', '-a', 'a'.repeat(64), 'acme,globex', 'acme\u00e9'])}`];
  }
}

/**
 * Credentials no gateway or query-api may accept, given ones the platform would accept
 * (`valid`) and refused tokens made up front (`refused`: another secret, expired, another
 * audience, unknown roles): random and truncated tokens, a valid token's signature changed or
 * dropped, `alg: none`, unknown and malformed API keys, other schemes, two credentials at once.
 * Printable values only: a control character is the HTTP parser's to refuse, before any check.
 */
export function junkCredential(rng: Rng, valid: string, refused: readonly string[]): string[] {
  const token = (length: number) =>
    Array.from({ length }, () =>
      rng.pick([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.']),
    ).join('');
  const [header = '', payload = '', signature = ''] = valid.split('.');
  // Flips the sextet's top bit: the last character of a segment also carries padding bits, and a
  // change there alone (A to B) decodes to the same bytes, the same valid token.
  const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const flipped = (text: string, at: number) =>
    `${text.slice(0, at)}${BASE64URL[BASE64URL.indexOf(text[at]!) ^ 32]}${text.slice(at + 1)}`;
  const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  switch (rng.int(14)) {
    case 0:
      return [`Authorization: Bearer ${token(rng.int(400) + 1)}`];
    case 1:
      return [`Authorization: Bearer ${header}.${payload}.${flipped(signature, rng.int(signature.length))}`];
    case 2:
      return [`Authorization: Bearer ${header}.${flipped(payload, rng.int(payload.length))}.${signature}`];
    case 3:
      return [`Authorization: Bearer ${rng.chance(0.5) ? `${header}.${payload}.` : `${none}.${payload}.`}`];
    case 4:
      return [`Authorization: Bearer ${valid.slice(0, rng.int(valid.length))}`];
    case 5:
      return [`Authorization: Bearer ${rng.pick(refused)}`];
    case 6:
      // Well-formed API keys no one issued, and malformed ones.
      return [
        `${rng.chance(0.5) ? 'X-Api-Key:' : 'Authorization: Bearer'} ${rng.pick([
          `vk_${token(20)
            .toLowerCase()
            .replace(/[^a-z2-7]/g, 'a')}_${token(43).replace(/\./g, '_')}`,
          `vk_${token(rng.int(30))}`,
          'vk_',
          `vk_${token(20)}_${token(43)}_${token(5)}`,
        ])}`,
      ];
    case 7:
      return [`X-Api-Key: ${rng.chance(0.5) ? token(rng.int(100)) : valid}`];
    case 8:
      return [
        `Authorization: ${rng.pick(['Basic dXNlcjpwYXNz', 'Digest username="x"', 'Bearer', 'Bearer ', 'bearer', valid, `Token ${valid}`])}`,
      ];
    case 9:
      return [`Authorization: Bearer ${valid} ${token(10)}`];
    case 10:
      return [`Authorization: Bearer ${'a'.repeat(rng.pick([4000, 9000]))}`];
    case 11:
      // Latin-1 bytes are legal in a header value; no token has them.
      return [`Authorization: Bearer ${token(10)}\u00e9\u00ff${token(10)}`];
    case 12:
      return [`Authorization: Bearer ${rng.pick(refused)}`, `X-Api-Key: ${token(30)}`];
    default:
      return [`X-Api-Key: ${token(5)}`, `X-Api-Key: ${token(5)}`];
  }
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-16',
  'application/json; charset=latin-9000',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/graphql',
  'application/graphql-response+json',
  'application/xml',
  '',
  '*/*',
  'application/json; charset=utf-8; q=',
];

/** A body that no command or document schema accepts, with the headers that frame it. */
export function junkBody(rng: Rng, valid?: unknown): { headers: string[]; body: Buffer } {
  const type = rng.chance(0.7) ? 'application/json' : rng.pick(CONTENT_TYPES);
  const typed = (body: Buffer | string, extra: string[] = []) => ({
    headers: [...(type ? [`Content-Type: ${type}`] : []), ...extra],
    body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
  });
  const validText = JSON.stringify(valid ?? { sku: 'SKU-1', quantity: 1 });
  switch (rng.int(11)) {
    case 0:
      return typed(rng.bytes(rng.int(300)));
    case 1:
      return typed(validText.slice(0, rng.int(validText.length)));
    case 2:
      return typed(junkText(rng, 80));
    case 3: {
      const depth = rng.pick([100, 5000, 200_000]);
      return typed('['.repeat(depth) + ']'.repeat(depth));
    }
    case 4:
      return typed(JSON.stringify(rng.pick([null, 1, 'text', [], [valid], true, 1e308])));
    case 5:
      return typed(JSON.stringify({ [junkText(rng, 10)]: junkText(rng, 10), __proto__: { polluted: true } }));
    case 6:
      // Over the 1 MiB limit, declared.
      return typed(Buffer.alloc(1024 * 1024 + rng.int(1000) + 1, 0x20));
    case 7:
      return typed(`{"a":"${'\\ud800'.repeat(rng.int(50) + 1)}"`);
    case 8:
      return typed(rng.bytes(200), [`Content-Encoding: ${rng.pick(['gzip', 'deflate', 'br', 'x-junk'])}`]);
    case 9:
      return typed(`{"sku": ${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`);
    default:
      return typed(validText.replace(/"[^"]*"/, '"\u0000"').replace(':', '::'));
  }
}

export interface RawAnswer {
  /** 0: the connection closed without an HTTP answer. */
  status: number;
  contentType: string;
}

/**
 * Sends one request as raw bytes (fetch refuses most malformed requests before sending them)
 * and reads the status line. The request is written whole; the server may close early.
 */
export function sendRaw(
  port: number,
  head: string,
  body: Buffer = Buffer.alloc(0),
  timeoutMs = 10_000,
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const contentType = /\r\ncontent-type: ([^\r]*)/i.exec(text)?.[1] ?? '';
      resolve({ status: match ? Number(match[1]) : 0, contentType });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = text.slice(0, end);
      const length = /\r\ncontent-length: (\d+)/i.exec(head)?.[1];
      if (length !== undefined && Buffer.concat(chunks).length >= end + 4 + Number(length)) finish();
      // A chunked answer is whole at its last, empty chunk (a stream may keep the socket open).
      if (/\r\ntransfer-encoding: chunked/i.test(head) && text.endsWith('\r\n0\r\n\r\n')) finish();
    });
    socket.on('error', () => finish());
    socket.on('close', () => finish());
    socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  });
}

/** Runs `tasks` with at most `limit` under way at once. */
export async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < tasks.length) {
        const index = next++;
        results[index] = await tasks[index]!();
      }
    }),
  );
  return results;
}
