import { ConfigResourceTypes, ConfigSource, type Admin, type ITopicConfig } from 'kafkajs';
import { VerityError } from '@verity/core';
import { retry } from './retry';

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

/** The projector service's read models, read by one consumer group (`projectionGroupId` of it). */
export const READ_MODELS_GROUP = 'read-models';

/** Consumer group of a read model's projectors (or of the projector service's read models). */
export const projectionGroupId = (projection: string, prefix: string = DEFAULT_TOPIC_PREFIX): string =>
  `${prefix}.projection.${projection}`;

/**
 * Replies of every context, keyed by command id: compacted to one outcome per command, and
 * deleted once older than the outcome window (`VERITY_OUTCOME_RETENTION_MS`).
 */
export const repliesTopic = (prefix: string = DEFAULT_TOPIC_PREFIX): string => `${prefix}.command-replies`;

/**
 * The ingestors that run unattended, each with a dead-letter topic of what it could not turn
 * into a command. A bulk import reports its refused rows in a file instead.
 */
export const INGESTORS = ['cdc', 'webhooks', 'poller'] as const;
export type Ingestor = (typeof INGESTORS)[number];

/** An ingestor's dead letters (JSON, keyed by letter id): kept for `verity dlq` and counted by the sync status. */
export const ingestorDeadLettersTopic = (ingestor: Ingestor, prefix: string = DEFAULT_TOPIC_PREFIX): string =>
  `${prefix}.connectors.${ingestor}.dlq`;

/**
 * Who resolved which alias, when, as the query-api instances record it (Avro, keyed by tenant):
 * read by the alias resolutions read model, which keeps the audit's own retention.
 */
export const aliasResolutionsTopic = (prefix: string = DEFAULT_TOPIC_PREFIX): string => `${prefix}.aliases.resolutions`;

/** How long the resolutions topic keeps a record: 7 days, the read model's slack to catch up after an outage. */
export const ALIAS_RESOLUTIONS_TOPIC_RETENTION_MS = 7 * 24 * 3_600_000;

/** The resolutions topic: time-bounded, unlike the events topics; its records are an access log, not the system of record. */
export const aliasResolutionsTopicSpec = (topic: string, partitions = 3): TopicSpec => ({
  topic,
  numPartitions: partitions,
  configEntries: [{ name: 'retention.ms', value: String(ALIAS_RESOLUTIONS_TOPIC_RETENTION_MS) }],
});

/** The outcome window when none is configured: 7 days (`VERITY_OUTCOME_RETENTION_MS`'s default). */
export const DEFAULT_OUTCOME_RETENTION_MS = 7 * 24 * 3_600_000;

/** A topic as `ensureTopics` creates it, and the settings it keeps in line on a topic that exists. */
export interface TopicSpec extends ITopicConfig {
  /**
   * Names of `configEntries` an existing topic is altered to match (a topic created by an
   * older release, or under another setting); the others apply only when it is created.
   */
  enforced?: readonly string[];
}

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

export interface RepliesTopicOptions {
  /**
   * The outcome window, `retention.ms`, kept in line on an existing topic. Omitted: a topic
   * created here gets `DEFAULT_OUTCOME_RETENTION_MS` and an existing one keeps its retention,
   * so a caller that is not told the window never undoes the one configured.
   */
  retentionMs?: number;
  /** Partitions when it is created. Default 3. */
  partitions?: number;
}

/**
 * The replies topic: `compact,delete`, so it holds one outcome per command and none older than
 * the window; readers of outcomes past the moment they start use the outcomes read model.
 */
export function repliesTopicConfig(topic: string, options: RepliesTopicOptions = {}): TopicSpec {
  const { retentionMs, partitions = 3 } = options;
  return {
    topic,
    numPartitions: partitions,
    configEntries: [
      { name: 'cleanup.policy', value: 'compact,delete' },
      { name: 'retention.ms', value: String(retentionMs ?? DEFAULT_OUTCOME_RETENTION_MS) },
    ],
    enforced: retentionMs === undefined ? ['cleanup.policy'] : ['cleanup.policy', 'retention.ms'],
  };
}

/**
 * Creates the topics that do not exist yet and waits until their leaders are known, then brings
 * the `enforced` settings of those that existed in line. kafkajs on KRaft fails to subscribe to
 * a topic that does not exist (kafkajs#815), so every service calls this before it subscribes
 * or produces.
 */
export async function ensureTopics(admin: Admin, topics: TopicSpec[], replicationFactor = 1): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = [
    ...new Map(
      topics
        .filter((t) => !existing.has(t.topic))
        .map(({ enforced: _enforced, ...t }) => [t.topic, { replicationFactor, ...t }]),
    ).values(),
  ];
  if (missing.length > 0) {
    // Leaders are waited for here, not by kafkajs: its wait gives up on the first "does not host
    // this topic-partition" a loaded broker answers while the topic propagates, and skips topics
    // another service starting at the same time created first (then the first produce fails).
    await admin.createTopics({ topics: missing, waitForLeaders: false });
    await waitForLeaders(
      admin,
      missing.map((t) => t.topic),
    );
  }
  await alignTopicConfigs(
    admin,
    topics.filter((t) => existing.has(t.topic) && (t.enforced?.length ?? 0) > 0),
  );
}

class TopicLeadersUnknownError extends VerityError {
  constructor(topics: string[]) {
    super('topic_leaders_unknown', `no leader yet for every partition of ${topics.join(', ')}`, {
      retriable: true,
      context: { topics },
    });
  }
}

/** Resolves once every partition of the topics has a leader. */
async function waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
  await retry(
    async () => {
      const { topics: described } = await admin.fetchTopicMetadata({ topics });
      const led = described.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (!led || described.length < topics.length) throw new TopicLeadersUnknownError(topics);
    },
    { attempts: 12, isRetriable: () => true },
  );
}

/** A list setting (`compact,delete`) compares by its members, in any order. */
const sameSetting = (a: string | undefined, b: string): boolean =>
  a !== undefined &&
  a
    .split(',')
    .map((v) => v.trim())
    .sort()
    .join(',') ===
    b
      .split(',')
      .map((v) => v.trim())
      .sort()
      .join(',');

/**
 * Alters the topics whose enforced settings differ. kafkajs has only the non-incremental
 * AlterConfigs, which resets every setting it is not given, so each topic's own settings are
 * sent back beside the enforced ones.
 */
async function alignTopicConfigs(admin: Admin, specs: TopicSpec[]): Promise<void> {
  if (specs.length === 0) return;
  const { resources } = await admin.describeConfigs({
    resources: specs.map((s) => ({ type: ConfigResourceTypes.TOPIC, name: s.topic })),
    includeSynonyms: false,
  });
  const alterations = specs.flatMap((spec) => {
    const entries = resources.find((r) => r.resourceName === spec.topic)?.configEntries ?? [];
    const effective = new Map(entries.map((e) => [e.configName, e.configValue]));
    const wanted = (spec.configEntries ?? []).filter((e) => spec.enforced?.includes(e.name));
    if (wanted.every((e) => sameSetting(effective.get(e.name), e.value))) return [];
    const own = new Map(
      entries.filter((e) => e.configSource === ConfigSource.TOPIC_CONFIG).map((e) => [e.configName, e.configValue]),
    );
    for (const e of wanted) own.set(e.name, e.value);
    return [
      {
        type: ConfigResourceTypes.TOPIC,
        name: spec.topic,
        configEntries: [...own].map(([name, value]) => ({ name, value })),
      },
    ];
  });
  if (alterations.length > 0) await admin.alterConfigs({ validateOnly: false, resources: alterations });
}

/** Kept forever and in one partition: a few records, read in the order they were given up. */
export const deadLettersTopicSpec = (topic: string): TopicSpec => ({
  topic,
  numPartitions: 1,
  configEntries: [{ name: 'retention.ms', value: '-1' }],
});
