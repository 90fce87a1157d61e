import type { Admin, ITopicConfig } from 'kafkajs';

/** Default topic prefix; tests use their own so that runs never collide. */
export const DEFAULT_TOPIC_PREFIX = 'verity';

export interface ContextTopics {
  /** Commands in, keyed by stream id. */
  commands: string;
  /** The system of record: Avro events, kept forever. */
  events: string;
  /** Compacted aggregate snapshots, restored on partition assignment. */
  state: string;
  /** Command records that could not be decoded, with the reason. */
  deadLetters: string;
}

export function contextTopics(context: string, prefix: string = DEFAULT_TOPIC_PREFIX): ContextTopics {
  return {
    commands: `${prefix}.${context}.commands`,
    events: `${prefix}.${context}.events`,
    state: `${prefix}.${context}.state`,
    deadLetters: `${prefix}.${context}.commands.dlq`,
  };
}

/** Consumer group of a context's command processors; also the prefix of their transactional ids. */
export const processorGroupId = (context: string, prefix: string = DEFAULT_TOPIC_PREFIX): string =>
  `${prefix}.${context}.command-processor`;

/** Consumer group of a read model's projectors. */
export const projectionGroupId = (projection: string, prefix: string = DEFAULT_TOPIC_PREFIX): string =>
  `${prefix}.projection.${projection}`;

/** Replies of every context, keyed by command id, compacted so each outcome stays readable. */
export const repliesTopic = (prefix: string = DEFAULT_TOPIC_PREFIX): string => `${prefix}.command-replies`;

/**
 * The topics a context needs, with their retention. Commands, events and state share one
 * partition count, so the processor owning command partition p is the only writer of events
 * partition p.
 */
export function contextTopicConfigs(topics: ContextTopics, partitions: number): ITopicConfig[] {
  return [
    {
      topic: topics.commands,
      numPartitions: partitions,
      configEntries: [{ name: 'retention.ms', value: String(7 * 24 * 3600 * 1000) }],
    },
    {
      topic: topics.events,
      numPartitions: partitions,
      configEntries: [
        { name: 'retention.ms', value: '-1' },
        { name: 'retention.bytes', value: '-1' },
      ],
    },
    { topic: topics.state, numPartitions: partitions, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
    { topic: topics.deadLetters, numPartitions: 1, configEntries: [{ name: 'retention.ms', value: '-1' }] },
  ];
}

export const repliesTopicConfig = (topic: string, partitions = 3): ITopicConfig => ({
  topic,
  numPartitions: partitions,
  configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
});

/**
 * Creates the topics that do not exist yet and waits until their leaders are known.
 * kafkajs on KRaft fails to subscribe to a topic that does not exist (kafkajs#815), so
 * every service calls this before it subscribes or produces.
 */
export async function ensureTopics(admin: Admin, topics: ITopicConfig[], replicationFactor = 1): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = [
    ...new Map(
      topics.filter((t) => !existing.has(t.topic)).map((t) => [t.topic, { replicationFactor, ...t }]),
    ).values(),
  ];
  if (missing.length > 0) {
    await admin.createTopics({ topics: missing, waitForLeaders: true });
  }
}
