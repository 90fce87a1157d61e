import type { Admin } from 'kafkajs';
import { PartitionReader, fetchTopicOffsets, type KafkaSecurity, type RdProducer } from '@verity/events';
import type { CommandIntake } from './command-intake';
import type { ReplayedMarker, StoredDeadLetter } from './dead-letters';
import { UnmappableChangeError, type SourceChange } from './source-change';

export interface DeadLetterLogOptions {
  brokers: readonly string[];
  admin: Admin;
  security?: KafkaSecurity;
  topic: string;
  clientId: string;
}

/** A dead-letter topic read to its end: the letters not replayed yet, in the order they were given up. */
export interface DeadLetterLog {
  pending: StoredDeadLetter[];
  /** How many letters were replayed already. */
  replayed: number;
}

/** Folds a dead-letter topic's records (letters and replay markers) into what is still to do. */
export function foldDeadLetters(values: readonly unknown[]): DeadLetterLog {
  const letters = new Map<string, StoredDeadLetter>();
  const done = new Set<string>();
  for (const value of values) {
    if (isMarker(value)) done.add(value.replayed);
    else if (isLetter(value) && !letters.has(value.id)) letters.set(value.id, value);
  }
  const pending = [...letters.values()].filter((l) => !done.has(l.id));
  return { pending, replayed: letters.size - pending.length };
}

const isMarker = (value: unknown): value is ReplayedMarker =>
  typeof value === 'object' && value !== null && typeof (value as ReplayedMarker).replayed === 'string';
const isLetter = (value: unknown): value is StoredDeadLetter =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as StoredDeadLetter).id === 'string' &&
  typeof (value as StoredDeadLetter).original === 'string';

/**
 * Reads an ingestor's dead-letter topic from its start to where it ends now. A dead-letter topic
 * holds what could not be mapped, a handful of records next to the changes that went through,
 * so it is read whole.
 */
export async function readDeadLetters(options: DeadLetterLogOptions): Promise<DeadLetterLog> {
  const { admin, topic } = options;
  const ends = await fetchTopicOffsets(admin, topic);
  const values: unknown[] = [];
  const reader = new PartitionReader({
    brokers: options.brokers,
    ...(options.security ? { security: options.security } : {}),
    topic,
    clientId: options.clientId,
    apply: async (records) => {
      for (const record of records) values.push(JSON.parse(record.value.toString('utf8')));
    },
  });
  await reader.start(new Map(ends.map(({ partition, low }) => [partition, BigInt(low)])));
  try {
    await reader.catchUp(ends.map((e) => e.partition));
  } finally {
    await reader.stop();
  }
  return foldDeadLetters(values);
}

/** Maps a letter's original again, with the ingestor's mapping as it is now (the cause fixed). */
export type DeadLetterRemap = (letter: StoredDeadLetter) => SourceChange[];

export interface ReplayOutcome {
  id: string;
  /** The commands appended, or why the letter still maps to none. */
  commandIds?: string[];
  error?: string;
}

/**
 * Replays letters through the intake, one at a time: a letter that maps now is appended and
 * marked replayed; one that still does not stays pending with the reason. The command ids are
 * the ones the ingestor derived from the change's position, so replaying twice appends nothing.
 */
export async function replayDeadLetters(options: {
  letters: readonly StoredDeadLetter[];
  remap: DeadLetterRemap;
  intake: CommandIntake;
  producer: RdProducer;
  topic: string;
  now?: () => Date;
}): Promise<ReplayOutcome[]> {
  const now = options.now ?? (() => new Date());
  const outcomes: ReplayOutcome[] = [];
  for (const letter of options.letters) {
    try {
      const submitted = await options.intake.submit(options.remap(letter));
      const marker: ReplayedMarker = {
        replayed: letter.id,
        commandIds: submitted.map((s) => s.commandId),
        at: now().toISOString(),
      };
      await options.producer.send({
        topic: options.topic,
        messages: [{ key: letter.id, value: JSON.stringify(marker) }],
      });
      outcomes.push({ id: letter.id, commandIds: marker.commandIds });
    } catch (error) {
      if (!(error instanceof UnmappableChangeError)) throw error;
      outcomes.push({ id: letter.id, error: error.message });
    }
  }
  return outcomes;
}
