import { z } from 'zod';
import { HttpProblem } from '@verity/service-kit';
import {
  cursorParam,
  enumParam,
  instantParam,
  intParam,
  integerParam,
  pageSizeParam,
  parseParam,
  parseQuery,
  requireSingleValues,
  validationFailed,
} from './request';

/** The problem `run` throws, as the client would read it. */
function problemOf(run: () => unknown): {
  status: number;
  code: string;
  title: string;
  detail: string;
  extra: Record<string, unknown>;
} {
  try {
    run();
  } catch (error) {
    if (!(error instanceof HttpProblem)) throw error;
    return { status: error.status, code: error.code, title: error.title, detail: error.message, extra: error.extra };
  }
  throw new Error('no problem');
}

const messageOf = (schema: z.ZodType, value: unknown): string | undefined =>
  schema.safeParse(value).error?.issues[0]?.message;

describe('validationFailed', () => {
  it('names each issue in the detail and in errors', () => {
    expect(
      problemOf(() => {
        throw validationFailed('Invalid query parameters', [
          { path: 'limit', message: 'at least 1' },
          { path: 'status', message: 'one of a, b' },
        ]);
      }),
    ).toEqual({
      status: 400,
      code: 'validation_failed',
      title: 'Invalid query parameters',
      detail: 'limit: at least 1; status: one of a, b',
      extra: {
        errors: [
          { path: 'limit', message: 'at least 1' },
          { path: 'status', message: 'one of a, b' },
        ],
      },
    });
  });
});

describe('parseParam', () => {
  const code = z
    .string()
    .max(3)
    .regex(/^[a-z]+$/, 'lower-case letters');

  it('returns the parsed value', () => {
    expect(parseParam(code, 'abc', 'code', 'Invalid code')).toBe('abc');
  });

  it('names the parameter with its first issue, or every issue', () => {
    expect(problemOf(() => parseParam(code, 'ABCD', 'code', 'Invalid code'))).toMatchObject({
      title: 'Invalid code',
      extra: { errors: [{ path: 'code', message: expect.stringMatching(/<=3/) }] },
    });
    expect(problemOf(() => parseParam(code, 'ABCD', 'code', 'Invalid code', 'all')).extra).toEqual({
      errors: [
        { path: 'code', message: expect.stringMatching(/<=3/) },
        { path: 'code', message: 'lower-case letters' },
      ],
    });
  });
});

describe('parseQuery', () => {
  const strict = z.strictObject({
    limit: intParam(1, 10).optional(),
    status: enumParam(['open', 'closed']).optional(),
  });

  it('returns the parsed parameters', () => {
    expect(parseQuery(strict, { limit: '10', status: 'open' })).toEqual({ limit: 10, status: 'open' });
  });

  it('a bad parameter is a 400 naming it; an unknown one of a strict object too', () => {
    expect(problemOf(() => parseQuery(strict, { limit: '11' }))).toMatchObject({
      status: 400,
      code: 'validation_failed',
      title: 'Invalid query parameter',
      detail: expect.stringMatching(/^limit: /),
    });
    expect(problemOf(() => parseQuery(strict, { colour: 'red', size: 'L' })).detail).toMatch(/^colour, size: /);
  });

  it('names every bad parameter when asked, under its title', () => {
    expect(
      problemOf(() => parseQuery(strict, { limit: '0', status: 'gone' }, 'Invalid query parameters', 'all')),
    ).toMatchObject({
      title: 'Invalid query parameters',
      detail: expect.stringMatching(/^limit: .*; status: one of open, closed$/),
    });
  });
});

describe('requireSingleValues', () => {
  it('refuses a repeated parameter, known or not', () => {
    expect(() => requireSingleValues({ limit: '1', context: 'backend' }, 'Invalid request')).not.toThrow();
    expect(problemOf(() => requireSingleValues({ limit: ['1', '2'] }, 'Invalid request'))).toMatchObject({
      title: 'Invalid request',
      detail: 'limit: give it once, as a plain value',
    });
  });
});

describe('query-string integers', () => {
  it.each(['', '-1', '+1', '1.5', '1e3', ' 1', 'ten'])('%p is not digits', (value) => {
    expect(messageOf(intParam(1, 10), value)).toBe('must be a whole number');
  });

  it('is checked against its bounds as a number', () => {
    expect(intParam(1, 10).parse('007')).toBe(7);
    expect(intParam(1, 10).safeParse('11').success).toBe(false);
  });

  it('says what the caller chose to', () => {
    const quantity = integerParam(z.number().min(1, 'at least 1'), {
      type: 'a positive integer is required',
      digits: 'a positive integer',
    });
    expect(messageOf(quantity, undefined)).toBe('a positive integer is required');
    expect(messageOf(quantity, ['1', '2'])).toBe('a positive integer is required');
    expect(messageOf(quantity, 'x')).toBe('a positive integer');
    expect(messageOf(quantity, '0')).toBe('at least 1');
  });

  it('a page size is 1 to its maximum, saying which bound it broke', () => {
    expect(pageSizeParam(200).parse('200')).toBe(200);
    expect(messageOf(pageSizeParam(200), '0')).toBe('at least 1');
    expect(messageOf(pageSizeParam(200), '201')).toBe('at most 200');
    expect(messageOf(pageSizeParam(200), 'ten')).toBe('an integer');
  });

  it('is described as digits to OpenAPI', () => {
    expect(z.toJSONSchema(intParam(1, 10), { io: 'input' })).toMatchObject({ type: 'string', pattern: '^\\d+$' });
  });
});

describe('cursorParam', () => {
  const decode = (cursor: string): number | undefined => (cursor.startsWith('c') ? Number(cursor.slice(1)) : undefined);

  it('gives the key the cursor stands for', () => {
    expect(cursorParam(decode).parse('c7')).toBe(7);
  });

  it('refuses one it finds no key in, with the message given', () => {
    expect(messageOf(cursorParam(decode), 'x')).toBe('not a cursor returned by this API');
    expect(messageOf(cursorParam(decode, 'not a cursor this list returned'), 'x')).toBe(
      'not a cursor this list returned',
    );
  });
});

describe('enumParam', () => {
  it('takes one of its values and lists them otherwise', () => {
    expect(enumParam(['open', 'closed']).parse('open')).toBe('open');
    expect(messageOf(enumParam(['open', 'closed']), 'gone')).toBe('one of open, closed');
  });
});

describe('instantParam', () => {
  it('takes an ISO 8601 instant with an offset and gives it in UTC', () => {
    expect(instantParam.parse('2027-01-01T01:00:00+01:00')).toBe('2027-01-01T00:00:00.000Z');
    expect(instantParam.parse('2026-11-23T10:00:00Z')).toBe('2026-11-23T10:00:00.000Z');
  });

  it.each(['tomorrow', '2026-11-23T10:00:00', '2026-11-23'])('%p is not one', (value) => {
    expect(messageOf(instantParam, value)).toBe('an ISO 8601 instant with an offset, e.g. 2026-11-23T10:00:00Z');
  });
});
