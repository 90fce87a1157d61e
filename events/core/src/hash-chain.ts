import { createHash } from 'node:crypto';
import { compareCodeUnits } from './code-unit-order';
import type { ChainedEventMetadata, EventMetadata } from './event-metadata';

/**
 * JSON with keys sorted, so the same metadata always hashes the same. An absent optional
 * attribute (`onBehalfOf`) is left out rather than written as null: events that lack it hash
 * exactly as they did before the attribute existed.
 */
export function canonicalMetadata(metadata: EventMetadata): string {
  const present = Object.entries(metadata).filter(([, value]) => value !== undefined);
  const sorted = Object.fromEntries(present.sort(([a], [b]) => compareCodeUnits(a, b)));
  return JSON.stringify(sorted);
}

/** sha256 over the previous hash, the canonical metadata and the value bytes (hex). */
export function eventHash(prevHash: string, metadata: EventMetadata, value: Buffer): string {
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(canonicalMetadata(metadata))
    .update('\n')
    .update(value)
    .digest('hex');
}

export function chain(prevHash: string, metadata: EventMetadata, value: Buffer): ChainedEventMetadata {
  return { ...metadata, prevHash, hash: eventHash(prevHash, metadata, value) };
}

/** The metadata that was hashed: everything but the chain fields themselves. */
export function unchained({ prevHash: _prev, hash: _hash, ...metadata }: ChainedEventMetadata): EventMetadata {
  return metadata;
}
