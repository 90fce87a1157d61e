import { randomUUID } from 'node:crypto';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { ensureTopics, repliesTopic, repliesTopicConfig } from './topics';

// The project's own broker, as `verity infra up` starts it.
const kafka = new Kafka({ brokers: ['localhost:9092'], clientId: 'topics-spec', logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const prefix = `t${randomUUID().replace(/-/g, '').slice(0, 10)}`;

beforeAll(() => admin.connect());
afterAll(async () => {
  const ours = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
  if (ours.length > 0) await admin.deleteTopics({ topics: ours });
  await admin.disconnect();
});

async function settings(topic: string): Promise<Record<string, string>> {
  const { resources } = await admin.describeConfigs({
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    includeSynonyms: false,
  });
  return Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
}

describe('the replies topic on the real broker', () => {
  it('is created compacted and deleted after the window', async () => {
    const topic = repliesTopic(`${prefix}-new`);
    await ensureTopics(admin, [repliesTopicConfig(topic, { retentionMs: 60_000 })]);
    expect(await settings(topic)).toMatchObject({ 'cleanup.policy': 'compact,delete', 'retention.ms': '60000' });
  });

  it('an existing compact-only topic is brought in line, keeping its other settings', async () => {
    const topic = repliesTopic(`${prefix}-old`);
    await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: 1,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'min.compaction.lag.ms', value: '1234' },
          ],
        },
      ],
      waitForLeaders: true,
    });
    await ensureTopics(admin, [repliesTopicConfig(topic, { retentionMs: 5_000 })]);
    expect(await settings(topic)).toMatchObject({
      'cleanup.policy': 'compact,delete',
      'retention.ms': '5000',
      'min.compaction.lag.ms': '1234',
    });

    // A caller not told the window (no retentionMs) leaves the configured one alone.
    await ensureTopics(admin, [repliesTopicConfig(topic)]);
    expect(await settings(topic)).toMatchObject({ 'cleanup.policy': 'compact,delete', 'retention.ms': '5000' });
  });
});

describe('topics ensured by services starting together', () => {
  it('have a leader for every partition when ensureTopics returns, in each of them', async () => {
    const topics = ['a', 'b', 'c'].map((name) => ({ topic: `${prefix}.race.${name}`, numPartitions: 6 }));
    const others = Array.from({ length: 4 }, () => kafka.admin());
    await Promise.all(others.map((a) => a.connect()));
    try {
      // Each returns on its own, so each checks the leaders then and there.
      await Promise.all(
        others.map(async (other) => {
          await ensureTopics(other, topics);
          const { topics: described } = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.topic) });
          expect(described.flatMap((t) => t.partitions.map((p) => p.leader >= 0))).toEqual(
            Array.from({ length: 18 }, () => true),
          );
        }),
      );
    } finally {
      await Promise.all(others.map((a) => a.disconnect()));
    }
  });
});
