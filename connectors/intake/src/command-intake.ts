import type { ContextDefinition } from '@verity/core';
import { contextTopics, type RdProducer } from '@verity/events';
import { commandOfChange, type SourceChange } from './source-change';

/** Where a change's command was appended: durable (acks=all) once `submit` resolves. */
export interface Submitted {
  commandId: string;
  streamId: string;
  topic: string;
  partition: number;
  offset: string;
}

/** Appends the commands of source changes to their contexts' commands topics. */
export interface CommandIntake {
  /**
   * Validates the changes and appends their commands, in the order given per stream. Throws
   * `UnmappableChangeError` for the first change that maps to no valid command, before anything
   * is sent.
   */
  submit(changes: readonly SourceChange[]): Promise<Submitted[]>;
}

export interface CommandIntakeOptions {
  /**
   * An idempotent producer with acks=all and the murmur2 partitioner (the gateway's settings),
   * so a stream's commands land on the partition its processor owns, in order.
   */
  producer: RdProducer;
  contexts: readonly ContextDefinition[];
  topicPrefix: string;
  now?: () => Date;
}

/**
 * The ingestors' one way into the write path: the same commands topic the gateway appends to,
 * so the processor decides a source's change exactly as it decides an API call. The intake does
 * not wait for the decision: a source is answered once its change is durable in the log.
 */
export function createCommandIntake(options: CommandIntakeOptions): CommandIntake {
  const { producer, contexts, topicPrefix } = options;
  const now = options.now ?? (() => new Date());
  return {
    async submit(changes) {
      if (changes.length === 0) return [];
      const at = now();
      const envelopes = changes.map((change) => commandOfChange(contexts, change, at));
      // One send per command, all at once: librdkafka batches them per partition (linger), keeps
      // their order per partition (idempotence), and each answer names its own partition and offset.
      return Promise.all(
        envelopes.map(async (envelope): Promise<Submitted> => {
          const topic = contextTopics(envelope.type.slice(0, envelope.type.indexOf('.')), topicPrefix).commands;
          const [metadata] = await producer.send({
            topic,
            messages: [{ key: envelope.streamId, value: JSON.stringify(envelope) }],
          });
          return {
            commandId: envelope.commandId,
            streamId: envelope.streamId,
            topic,
            partition: metadata?.partition ?? -1,
            offset: String(metadata?.baseOffset ?? metadata?.offset ?? -1),
          };
        }),
      );
    },
  };
}
