import { Redis } from 'ioredis';
import { AvroSerde } from '../avro-serde';
import { thingsStack } from '../testing/things-stack';
import { thingTotalsProjection } from '../testing/upcasting/thing-totals-projection';
import {
  THINGS_COUNTED,
  THINGS_REMOVED,
  dozensToUnits,
  thingsCatalog,
  thingsContextV2,
} from '../testing/upcasting/things-context';
import { checkpointsChannel, parseCheckpointNotice } from './checkpoint-notice';

/**
 * A cache update that fails is retried until it lands, and no checkpoint notice goes out while
 * one is owed: a notice tells a waiting reader the cache holds the write, so one sent before the
 * repair would let that reader take a stale value.
 */
describe('the projector repairs a failed cache update before it notices a checkpoint again', () => {
  const stack = thingsStack('cache-repair', 'r');
  const { schema, topics, prefix } = stack;
  // Connected before subscribing: ioredis' ready check, sent after a SUBSCRIBE, is refused.
  const subscriber = new Redis(stack.redisUrl, { lazyConnect: true });
  const serde = new AvroSerde(stack.registry, thingsCatalog(2), [dozensToUnits]);

  /** Each publish the projector asked for, and whether it failed. */
  const publishes: ('failed' | 'done')[] = [];
  /** For each checkpoint notice: how many publishes had been done when it arrived. */
  const noticedAfter: number[] = [];
  let failuresLeft = 2;

  afterAll(async () => {
    await stack.remove();
    subscriber.disconnect();
  });

  it('retries the update until it lands, and notices the checkpoints only after it', async () => {
    await serde.register(topics.events, [THINGS_COUNTED, THINGS_REMOVED]);
    subscriber.on('message', (_channel: string, message: string) => {
      const notice = parseCheckpointNotice(message);
      if (notice?.schema === schema) noticedAfter.push(publishes.filter((p) => p === 'done').length);
    });
    await subscriber.connect();
    await subscriber.subscribe(checkpointsChannel(prefix));
    await stack.start(stack.processor(thingsContextV2, serde));
    await stack.start(
      stack.projector(
        {
          ...thingTotalsProjection,
          // Redis refusing the first two updates, as it does while it restarts.
          publish: async () => {
            if (failuresLeft > 0) {
              failuresLeft--;
              publishes.push('failed');
              throw new Error('redis unavailable');
            }
            publishes.push('done');
          },
        },
        serde,
      ),
    );
    const client = await stack.client();

    expect(await client.send(stack.count('bolts', 1))).toMatchObject({ status: 'accepted' });
    const deadline = Date.now() + 30_000;
    while (!publishes.includes('done') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // The batch's update failed, its retry failed, the next retry landed.
    expect(publishes.slice(0, 3)).toEqual(['failed', 'failed', 'done']);

    // Later batches are noticed again, and no notice came before the repair.
    expect(await client.send(stack.count('nuts', 2))).toMatchObject({ status: 'accepted' });
    while (noticedAfter.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(noticedAfter.length).toBeGreaterThan(0);
    expect(noticedAfter.every((done) => done >= 1)).toBe(true);
  }, 60_000);
});
