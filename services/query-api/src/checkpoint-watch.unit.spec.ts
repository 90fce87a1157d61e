import { createCheckpointWatch } from './checkpoint-watch';

const TOPIC = 'verity.inventory.events';
const notice = (
  over: Partial<{ schema: string; projection: string; topic: string; partition: number; offset: string }>,
) => ({
  schema: 'read_models',
  projection: 'inventory-stock',
  topic: TOPIC,
  partition: 0,
  offset: '10',
  ...over,
});

/** Whether `promise` has settled once the callbacks queued so far have run. */
async function settled(promise: Promise<void>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
}

describe('checkpoint watch', () => {
  it('says which offsets and partitions notices of its schema have shown', () => {
    const watch = createCheckpointWatch('read_models', () => true);
    expect(watch.knows('inventory-stock', TOPIC, [0])).toBe(false);
    watch.notice(notice({ partition: 0, offset: '10' }));
    watch.notice(notice({ schema: 'read_models_rebuild', partition: 1, offset: '50' }));
    // An older notice arriving late does not move it back.
    watch.notice(notice({ partition: 0, offset: '7' }));
    expect(watch.knows('inventory-stock', TOPIC, [0])).toBe(true);
    expect(watch.knows('inventory-stock', TOPIC, [0, 1])).toBe(false);
    expect(watch.covers('inventory-stock', TOPIC, { 0: '10' })).toBe(true);
    expect(watch.covers('inventory-stock', TOPIC, { 0: '11' })).toBe(false);
    expect(watch.covers('inventory-stock', TOPIC, { 0: '5', 1: '1' })).toBe(false);
    expect(watch.covers('pricing', TOPIC, { 0: '1' })).toBe(false);
  });

  it('wakes a wait once notices of its schema, projection and topic reach every offset it waits for', async () => {
    const watch = createCheckpointWatch('read_models', () => true);
    const waiting = watch.next('inventory-stock', TOPIC, { 0: '10', 2: '4' }, 60_000);

    watch.notice(notice({ schema: 'read_models_rebuild', partition: 0, offset: '10' }));
    watch.notice(notice({ schema: 'read_models_rebuild', partition: 2, offset: '4' }));
    watch.notice(notice({ projection: 'pricing', partition: 2, offset: '4' }));
    watch.notice(notice({ topic: 'verity.catalog.events', partition: 2, offset: '4' }));
    expect(await settled(waiting.woken)).toBe(false);

    watch.notice(notice({ partition: 0, offset: '12' }));
    expect(await settled(waiting.woken)).toBe(false);
    watch.notice(notice({ partition: 2, offset: '3' }));
    expect(await settled(waiting.woken)).toBe(false);
    watch.notice(notice({ partition: 2, offset: '4' }));
    expect(await settled(waiting.woken)).toBe(true);
  });

  it('leaves the waits a notice does not cover asleep: a busy projector does not wake every reader', async () => {
    const watch = createCheckpointWatch('read_models', () => true);
    const near = watch.next('inventory-stock', TOPIC, { 1: '5' }, 60_000);
    const far = watch.next('inventory-stock', TOPIC, { 1: '500' }, 60_000);
    watch.notice(notice({ partition: 1, offset: '6' }));
    expect(await settled(near.woken)).toBe(true);
    expect(await settled(far.woken)).toBe(false);
    far.cancel();
  });

  it('remembers the highest checkpoint named: an older notice arriving late does not move it back', async () => {
    const watch = createCheckpointWatch('read_models', () => true);
    watch.notice(notice({ partition: 0, offset: '20' }));
    watch.notice(notice({ partition: 0, offset: '8' }));
    const waiting = watch.next('inventory-stock', TOPIC, { 0: '15', 1: '1' }, 60_000);
    watch.notice(notice({ partition: 1, offset: '1' }));
    expect(await settled(waiting.woken)).toBe(true);
  });

  it('wakes a wait at its time when no notice comes, and at once when cancelled', async () => {
    const watch = createCheckpointWatch('read_models', () => true);
    const start = Date.now();
    await watch.next('inventory-stock', TOPIC, { 0: '1' }, 30).woken;
    expect(Date.now() - start).toBeGreaterThanOrEqual(25);

    const cancelled = watch.next('inventory-stock', TOPIC, { 0: '1' }, 60_000);
    cancelled.cancel();
    expect(await settled(cancelled.woken)).toBe(true);
  });

  it('says whether it is live as its subscription does', () => {
    let up = false;
    const watch = createCheckpointWatch('read_models', () => up);
    expect(watch.live()).toBe(false);
    up = true;
    expect(watch.live()).toBe(true);
  });
});
