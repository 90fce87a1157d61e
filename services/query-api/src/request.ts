import { z } from 'zod';
import { HttpProblem } from '@verity/service-kit';

/** One thing wrong with a parameter: the parameter (a dotted path inside it, if any) and what. */
export interface ParamIssue {
  path: string;
  message: string;
}

/** A 400 `validation_failed`: each issue as `path: message` in the detail (`; ` between them) and in `errors`. */
export function validationFailed(title: string, issues: readonly ParamIssue[]): HttpProblem {
  const errors = issues.map(({ path, message }) => ({ path, message }));
  return new HttpProblem(400, 'validation_failed', title, errors.map((e) => `${e.path}: ${e.message}`).join('; '), {
    errors,
  });
}

/** Which issues a 400 names: the first only, or every one. */
export type IssuesNamed = 'first' | 'all';

const named = (issues: readonly z.core.$ZodIssue[], which: IssuesNamed): readonly z.core.$ZodIssue[] =>
  which === 'all' ? issues : issues.slice(0, 1);

/** One parameter (a path parameter, say) read by `schema`; a bad one is a 400 naming `name`. */
export function parseParam<T>(
  schema: z.ZodType<T>,
  value: unknown,
  name: string,
  title: string,
  which: IssuesNamed = 'first',
): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw validationFailed(
      title,
      named(parsed.error.issues, which).map((issue) => ({
        path: [name, ...issue.path.map(String)].join('.'),
        message: issue.message,
      })),
    );
  return parsed.data;
}

/** Where an issue of the query string is: the unknown parameters it names, else its path. */
const queryPathOf = (issue: z.core.$ZodIssue): string =>
  issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.map(String).join('.') || 'query';

/**
 * The query string read by `schema`, an object with a property per parameter: a bad parameter
 * (or, for a strict object, an unknown one) is a 400 naming it.
 */
export function parseQuery<T>(
  schema: z.ZodType<T>,
  query: unknown,
  title = 'Invalid query parameter',
  which: IssuesNamed = 'first',
): T {
  const parsed = schema.safeParse(query);
  if (!parsed.success)
    throw validationFailed(
      title,
      named(parsed.error.issues, which).map((issue) => ({ path: queryPathOf(issue), message: issue.message })),
    );
  return parsed.data;
}

/** Refuses a parameter given more than once (it arrives as an array), naming it, whether the schema knows it or not. */
export function requireSingleValues(query: Record<string, unknown>, title: string): void {
  for (const [name, value] of Object.entries(query))
    if (typeof value !== 'string')
      throw validationFailed(title, [{ path: name, message: 'give it once, as a plain value' }]);
}

/** What an integer parameter says when it is not text (absent, or repeated), and when it is not digits. */
export interface IntegerMessages {
  type?: string;
  digits?: string;
}

/** A query-string integer: digits only (no sign, point or exponent), then checked as a number by `bounds`. */
export const integerParam = (bounds: z.ZodType<number, number>, messages: IntegerMessages = {}) =>
  z
    .string(messages.type === undefined ? undefined : { message: messages.type })
    .regex(/^\d+$/, messages.digits ?? 'must be a whole number')
    .transform(Number)
    .pipe(bounds);

/** An integer from `min` to `max`. */
export const intParam = (min: number, max: number) => integerParam(z.number().int().min(min).max(max));

/** A page size from 1 to `max`, saying which bound it broke. */
export const pageSizeParam = (max: number) =>
  integerParam(z.number().int().min(1, 'at least 1').max(max, `at most ${max}`), { digits: 'an integer' });

/** The opaque cursor of a page keyed by two strings: base64url of the last key it returned. */
export const encodePairCursor = (key: readonly [string, string]): string =>
  Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

/**
 * The key of a cursor `encodePairCursor` wrote, when `valid` takes it; undefined for anything
 * else (not base64url, not two strings, or not written exactly so).
 */
export function decodePairCursor(
  cursor: string,
  valid: (key: [string, string]) => boolean = () => true,
): [string, string] | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === 2 && typeof key[0] === 'string' && typeof key[1] === 'string') {
      const pair: [string, string] = [key[0], key[1]];
      if (valid(pair) && encodePairCursor(pair) === cursor) return pair;
    }
  } catch {
    // not ours
  }
  return undefined;
}

/** A cursor this API handed out: the key `decode` finds in it (undefined when it finds none, then an issue saying `message`). */
export const cursorParam = <K>(
  decode: (cursor: string) => K | undefined,
  message = 'not a cursor returned by this API',
) =>
  z.string().transform((value, ctx) => {
    const key = decode(value);
    if (key === undefined) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return key;
  });

/** One of `values`, listing them when it is not. */
export const enumParam = <const T extends readonly string[]>(values: T) =>
  z.enum(values, { message: `one of ${values.join(', ')}` });

/** An ISO 8601 instant with an offset (`Z` or `+01:00`), normalised to UTC. */
export const instantParam = z.iso
  .datetime({ offset: true, message: 'an ISO 8601 instant with an offset, e.g. 2026-11-23T10:00:00Z' })
  .transform((value) => new Date(value).toISOString());
