import type { Admin } from 'kafkajs';
import { VerityError } from '@verity/core';
import { retry } from './retry';

export interface TopicPartitionOffsets {
  partition: number;
  /** The high watermark: the offset the next record will get. */
  high: string;
  low: string;
}

/**
 * kafkajs#461: concurrent admin calls for different topics can refresh the cluster metadata
 * between fetchTopicOffsets' two ListOffsets rounds, so one round finds no leader and kafkajs
 * destructures an empty answer (a TypeError wrapped as non-retriable). Nothing is wrong with
 * the topic: asking again answers.
 */
function isEmptyListOffsetsAnswer(error: unknown): boolean {
  const cause = error instanceof Error ? (error.cause ?? error) : undefined;
  return (
    cause instanceof TypeError && /Cannot destructure property 'partitions' of '(high|low)\.pop/.test(cause.message)
  );
}

/** Each partition's low and high watermark of `topic`, retried through kafkajs#461 and a topic whose leaders are still being elected. */
export async function fetchTopicOffsets(admin: Admin, topic: string): Promise<TopicPartitionOffsets[]> {
  return retry(async () => {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      if (!isEmptyListOffsetsAnswer(error)) throw error;
      throw new VerityError('topic_offsets_unavailable', `${topic}: ListOffsets answered no partitions`, {
        retriable: true,
        cause: error,
        context: { topic },
      });
    }
  });
}
