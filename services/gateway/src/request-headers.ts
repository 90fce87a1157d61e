import type { Request } from 'express';
import { z } from 'zod';
import { SOURCE_SYSTEMS } from '@verity/core';
import { HttpProblem } from '@verity/service-kit';

export const headerSchemas = {
  idempotencyKey: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,200}$/, 'Idempotency-Key: 1 to 200 of letters, digits and . _ : -'),
  ifMatch: z
    .string()
    .regex(/^"\d+"$/, 'If-Match: a quoted stream version such as "3"')
    .transform((v) => Number(v.slice(1, -1))),
  expectedVersion: z.string().regex(/^\d+$/, 'X-Expected-Version: a stream version such as 3').transform(Number),
  sourceSystem: z.enum(SOURCE_SYSTEMS),
  sourceTimestamp: z.iso.datetime({ offset: true }),
};

/** A header's value read by its schema; absent is undefined, a malformed one is 400 `invalid_header`. */
export function header<T>(req: Request, name: string, schema: z.ZodType<T>): T | undefined {
  const raw = req.get(name);
  if (raw === undefined) return undefined;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new HttpProblem(
      400,
      'invalid_header',
      'Invalid header',
      `${name}: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      { header: name },
    );
  }
  return parsed.data;
}
