import { createHash } from 'node:crypto';
import type { Ingestor, RdProducer } from '@verity/events';

export interface DeadLetter {
  /** The ingestor that gave up on it. */
  ingestor: Ingestor;
  /** The source system or connector it came from. */
  source: string;
  tenant?: string;
  /** A machine-readable reason (`unmappable_change`, ...) and the human one, naming the field. */
  code: string;
  reason: string;
  /** Where it was in the source (LSN, delivery id, file and row): what a replay starts from. */
  position?: string;
  /** The change as received (UTF-8 text; binary as base64). */
  original: string;
  /** What the mapping took from the ingestor's configuration besides the change (a connector's currency): a replay needs it too. */
  settings?: Record<string, string>;
}

/** A dead letter as kept: named by what it holds, so the same change given up twice is one letter. */
export interface StoredDeadLetter extends DeadLetter {
  id: string;
  /** When it was given up (ISO 8601). */
  at: string;
}

/** What `verity dlq replay` appends once a letter's change is in the log again: the letter is then done. */
export interface ReplayedMarker {
  replayed: string;
  commandIds: string[];
  at: string;
}

export const deadLetterIdOf = (letter: DeadLetter): string =>
  createHash('sha256')
    .update([letter.ingestor, letter.source, letter.position ?? '', letter.original].join('\u0000'))
    .digest('hex')
    .slice(0, 24);

export interface DeadLetters {
  write(letter: DeadLetter): Promise<StoredDeadLetter>;
}

/** Appends dead letters, keyed by their id, with the time they were given up. */
export function createDeadLetters(
  producer: RdProducer,
  topic: string,
  now: () => Date = () => new Date(),
): DeadLetters {
  return {
    async write(letter) {
      const stored: StoredDeadLetter = { ...letter, id: deadLetterIdOf(letter), at: now().toISOString() };
      await producer.send({ topic, messages: [{ key: stored.id, value: JSON.stringify(stored) }] });
      return stored;
    },
  };
}
