import { VerityError } from './errors';

/**
 * Where a write landed: for each partition of an events topic, the offset just past the last
 * event written. A projection whose checkpoint reached these offsets has seen the write.
 */
export interface ConsistencyToken {
  topic: string;
  offsets: Record<number, string>;
}

export class InvalidConsistencyTokenError extends VerityError {
  constructor(reason: string) {
    super('invalid_consistency_token', `consistency token: ${reason}`);
  }
}

export const encodeConsistencyToken = (token: ConsistencyToken): string =>
  Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');

export function decodeConsistencyToken(encoded: string): ConsistencyToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidConsistencyTokenError('not base64url JSON');
  }
  const token = parsed as Partial<ConsistencyToken>;
  if (
    typeof token?.topic !== 'string' ||
    typeof token.offsets !== 'object' ||
    token.offsets === null ||
    !Object.entries(token.offsets).every(([p, o]) => /^\d+$/.test(p) && typeof o === 'string' && /^\d+$/.test(o))
  ) {
    throw new InvalidConsistencyTokenError('expected {topic, offsets: {partition: offset}}');
  }
  return token as ConsistencyToken;
}
