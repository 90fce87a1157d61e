import { createHash } from 'node:crypto';

/** Same parts (tenant, command id, ...), same id: a redelivered or replayed command detects the same conflict. */
export const conflictIdOf = (...parts: string[]): string =>
  `conflict-${createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 24)}`;
