import type { Admin } from 'kafkajs';
import { fetchTopicOffsets } from './topic-offsets';

/** What kafkajs throws for kafkajs#461: its retrier wraps the TypeError as non-retriable. */
function emptyAnswerError(): Error {
  const typeError = new TypeError("Cannot destructure property 'partitions' of 'low.pop(...)' as it is undefined.");
  return Object.assign(new Error(typeError.message, { cause: typeError }), {
    name: 'KafkaJSNonRetriableError',
    retriable: false,
  });
}

const answer = [{ partition: 0, offset: '7', high: '7', low: '0' }];

function adminAnswering(...outcomes: (Error | typeof answer)[]): { admin: Admin; calls: () => number } {
  let calls = 0;
  const admin = {
    fetchTopicOffsets: async () => {
      const outcome = outcomes[Math.min(calls++, outcomes.length - 1)]!;
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
  } as unknown as Admin;
  return { admin, calls: () => calls };
}

describe('fetchTopicOffsets', () => {
  it('asks again when kafkajs destructures an empty ListOffsets answer (kafkajs#461)', async () => {
    const { admin, calls } = adminAnswering(emptyAnswerError(), emptyAnswerError(), answer);
    await expect(fetchTopicOffsets(admin, 't')).resolves.toEqual(answer);
    expect(calls()).toBe(3);
  });

  it('passes any other error on unchanged, without asking again', async () => {
    const denied = Object.assign(new Error('Topic authorization failed'), { retriable: false });
    const { admin, calls } = adminAnswering(denied);
    await expect(fetchTopicOffsets(admin, 't')).rejects.toBe(denied);
    expect(calls()).toBe(1);
  });

  it('gives up after its attempts, keeping the upstream error as the cause', async () => {
    const upstream = emptyAnswerError();
    const { admin } = adminAnswering(upstream);
    await expect(fetchTopicOffsets(admin, 't')).rejects.toMatchObject({
      code: 'topic_offsets_unavailable',
      cause: upstream,
    });
  }, 20_000);
});
