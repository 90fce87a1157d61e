import { UnmappableChangeError } from '@verity/connector-intake';

/**
 * A decimal amount in major units (`12.99`, as Debezium writes a NUMERIC with
 * decimal.handling.mode=string) as integer minor units (1299), read as text so no float
 * rounds it. More than two decimals is refused rather than rounded: a price is not guessed.
 */
export function minorUnits(value: unknown, column: string): number {
  const text = typeof value === 'number' ? String(value) : value;
  const match = typeof text === 'string' ? /^(\d+)(?:\.(\d{1,2})0*)?$/.exec(text.trim()) : null;
  if (!match)
    throw new UnmappableChangeError(
      `${column}: ${JSON.stringify(value ?? null)} is not an amount with at most two decimals`,
      [{ path: column, message: 'an amount with at most two decimals' }],
    );
  const cents = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(cents))
    throw new UnmappableChangeError(`${column}: ${String(text)} is too large`, [
      { path: column, message: 'too large' },
    ]);
  return cents;
}
