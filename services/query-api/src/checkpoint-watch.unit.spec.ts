import { createCheckpointWatch } from './checkpoint-watch';

const notice = (over: Partial<{ schema: string; projection: string; topic: string }> = {}) => ({
  schema: 'read_models',
  projection: 'inventory-stock',
  topic: 'verity.inventory.events',
  partition: 0,
  offset: '10',
  ...over,
});

/** Whether `promise` has settled by the time the microtasks queued before this check ran. */
async function settled(promise: Promise<void>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
}

describe('checkpoint watch', () => {
  it('wakes the waits of the projection and topic a notice of its schema names, and no other', async () => {
    const watch = createCheckpointWatch('read_models', () => true);
    const mine = watch.next('inventory-stock', 'verity.inventory.events', 60_000);
    const otherTopic = watch.next('inventory-stock', 'verity.catalog.events', 60_000);
    const otherProjection = watch.next('pricing', 'verity.inventory.events', 60_000);

    watch.notice(notice({ schema: 'read_models_rebuild' }));
    expect(await settled(mine.woken)).toBe(false);

    watch.notice(notice());
    expect(await settled(mine.woken)).toBe(true);
    expect(await settled(otherTopic.woken)).toBe(false);
    expect(await settled(otherProjection.woken)).toBe(false);
    otherTopic.cancel();
    otherProjection.cancel();
  });

  it('wakes a wait at its time when no notice comes, and at once when cancelled', async () => {
    const watch = createCheckpointWatch('read_models', () => true);
    const start = Date.now();
    await watch.next('inventory-stock', 'verity.inventory.events', 30).woken;
    expect(Date.now() - start).toBeGreaterThanOrEqual(25);

    const cancelled = watch.next('inventory-stock', 'verity.inventory.events', 60_000);
    cancelled.cancel();
    expect(await settled(cancelled.woken)).toBe(true);
  });

  it('wakes each wait once: a later notice finds none left', async () => {
    const watch = createCheckpointWatch('read_models', () => true);
    const first = watch.next('inventory-stock', 'verity.inventory.events', 60_000);
    watch.notice(notice());
    await first.woken;
    const second = watch.next('inventory-stock', 'verity.inventory.events', 60_000);
    expect(await settled(second.woken)).toBe(false);
    watch.notice(notice());
    expect(await settled(second.woken)).toBe(true);
  });

  it('says whether it is live as its subscription does', () => {
    let up = false;
    const watch = createCheckpointWatch('read_models', () => up);
    expect(watch.live()).toBe(false);
    up = true;
    expect(watch.live()).toBe(true);
  });
});
