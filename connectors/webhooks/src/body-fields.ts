import { z } from 'zod';
import { UnmappableChangeError } from '@verity/connector-intake';

/** The fields of a delivery's body, or `UnmappableChangeError` naming every field it gets wrong. */
export function fieldsOf<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'body', message: i.message }));
  throw new UnmappableChangeError(fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields);
}

/** ISO 8601 with an offset, as every source stamps its changes. */
export const instant = z.iso.datetime({ offset: true });

/** A source's own id or code: a string, or a number some sources send instead. */
export const code = z.union([z.string().trim().min(1), z.number().int().nonnegative()]).transform(String);

/** A stock count: sources send whole numbers. */
export const count = z.number().int();

/**
 * A price in major units (`12.99`, or `"12.99"`) as integer minor units (1299): Verity keeps money
 * in cents, never a float. More than two decimals is refused rather than rounded.
 */
export const minorUnits = z
  .union([z.number(), z.string().trim()])
  .transform(String)
  .pipe(z.string().regex(/^\d+(\.\d{1,2})?$/, 'a price of at most two decimals, e.g. 12.99'))
  .transform((text) => {
    const [whole = '0', fraction = ''] = text.split('.');
    return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  });

/**
 * The envelope NetSuite, SAP Business One and Dynamics 365 deliveries share: none of them has a
 * fixed webhook body (a SuiteScript, a B1 integration or a Power Automate flow posts it), so
 * Verity names one: what happened, when, and the record in the source's own field names.
 */
export const envelopeOf = <D extends z.ZodType, E extends readonly [string, ...string[]]>(events: E, data: D) =>
  z.object({ event: z.enum(events), timestamp: instant, data });
