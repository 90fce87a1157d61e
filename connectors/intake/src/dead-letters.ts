import type { RdProducer, TopicSpec } from '@verity/events';

/** An ingestor's dead letters: what it could not turn into a command, kept for `verity dlq`. */
export const ingestorDeadLettersTopic = (ingestor: string, prefix: string): string =>
  `${prefix}.connectors.${ingestor}.dlq`;

/** Kept forever and in one partition: a few records, read in the order they were given up. */
export const deadLettersTopicSpec = (topic: string): TopicSpec => ({
  topic,
  numPartitions: 1,
  configEntries: [{ name: 'retention.ms', value: '-1' }],
});

export interface DeadLetter {
  /** The ingestor that gave up on it (`cdc`, `webhooks`, `import`, `poller`). */
  ingestor: string;
  /** The source system or connector it came from. */
  source: string;
  tenant?: string;
  /** A machine-readable reason (`unmappable_change`, ...) and the human one, naming the field. */
  code: string;
  reason: string;
  /** Where it was in the source (LSN, delivery id, file and row): what a replay starts from. */
  position?: string;
  /** The change as received (UTF-8 text; binary as base64), so a replay needs nothing else. */
  original: string;
}

export interface DeadLetters {
  write(letter: DeadLetter): Promise<void>;
}

/** Appends dead letters, keyed by source, with the time they were given up. */
export function createDeadLetters(
  producer: RdProducer,
  topic: string,
  now: () => Date = () => new Date(),
): DeadLetters {
  return {
    async write(letter) {
      await producer.send({
        topic,
        messages: [{ key: letter.source, value: JSON.stringify({ ...letter, at: now().toISOString() }) }],
      });
    },
  };
}
