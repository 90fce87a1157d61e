import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every depth: the same value gives the same text whatever the order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** sha256 (hex) of a mapped payload's canonical JSON: equal payloads, equal checksums. */
export const checksumOf = (payload: unknown): string =>
  createHash('sha256').update(canonicalJson(payload)).digest('hex');
