import { resolve } from 'node:path';
import type { StockView } from '@verity/projection-inventory-stock';
import { projectionGroupId, READ_MODELS_GROUP } from '@verity/events';
import { appendOutputTails, childService, type ChildService } from './testing/child-service';
import { eventually, startTestPlatform, type TestPlatform } from './testing/test-platform';

const TENANT = 'failover';
/** Enough SKUs that some land on every partition, the killed member's among them. */
const SKUS = Array.from({ length: 12 }, (_, i) => `FAILOVER-${i}`);
const PROJECTOR_MAIN = resolve(__dirname, '../../projector/dist/main.js');
/**
 * How soon after a projector is killed every change shows again: its partitions wait for its
 * session to expire (10 s), then the group's rebalance and the catch-up. A change has 30 s to
 * show; kafkajs' default session of 30 s alone would take all of it.
 */
const SHOWN_WITHIN_MS = 25_000;

describe('a projector killed with SIGKILL while another runs', () => {
  let platform: TestPlatform;
  const projectors: ChildService[] = [];

  beforeAll(async () => {
    platform = await startTestPlatform(['command-processor', 'gateway', 'query-api']);
  });
  afterAll(async () => {
    for (const p of projectors) await p.stop();
    await platform?.stop();
  });

  it('hands its partitions over: every change shows within 25 s of the kill', async () => {
    const writer = await platform.credential({ tenant: TENANT, roles: ['writer:inventory', 'reader:inventory'] });
    const receive = async (sku: string, quantity: number) => {
      const res = await fetch(`${platform.urls.gateway}/v1/commands/inventory.ReceiveStock`, {
        method: 'POST',
        headers: { ...writer, 'content-type': 'application/json' },
        body: JSON.stringify({ sku, location: 'lyon', quantity }),
      });
      expect(res.status).toBe(200);
    };
    const onHand = async (sku: string): Promise<number | undefined> => {
      const res = await fetch(`${platform.urls['query-api']}/v1/inventory/${sku}`, { headers: writer });
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`GET /v1/inventory/${sku} answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as StockView).totals.onHand;
    };

    const [steady, killed] = ['steady', 'killed'].map((name) =>
      childService(`projector-${name}`, PROJECTOR_MAIN, { ...platform.env, VERITY_PROJECTOR_PORT: '0' }),
    ) as [ChildService, ChildService];
    projectors.push(steady, killed);
    try {
      steady.start();
      killed.start();
      // Both members hold partitions of the read models' group before the kill.
      const admin = platform.admin;
      const group = projectionGroupId(READ_MODELS_GROUP, platform.prefix);
      for (const sku of SKUS) await receive(sku, 1);
      await eventually(
        async () => {
          const [described] = (await admin.describeGroups([group])).groups;
          const holding = described?.members.filter((m) => m.memberAssignment.length > 0) ?? [];
          return described?.state === 'Stable' && holding.length === 2 ? true : undefined;
        },
        60_000,
        'two projector members holding partitions',
      );
      await eventually(
        async () => ((await Promise.all(SKUS.map(onHand))).every((n) => n === 1) ? true : undefined),
        30_000,
        'the first receipts shown',
      );

      await killed.kill();
      const killedAt = Date.now();
      for (const sku of SKUS) await receive(sku, 2);
      await eventually(
        async () => ((await Promise.all(SKUS.map(onHand))).every((n) => n === 3) ? true : undefined),
        60_000,
        'the receipts after the kill shown',
      );
      const shownAfterMs = Date.now() - killedAt;
      console.log(`projector failover: every change shown ${shownAfterMs} ms after the kill`);
      expect(shownAfterMs).toBeLessThan(SHOWN_WITHIN_MS);
      steady.assertAlive();
    } catch (error) {
      appendOutputTails(error, projectors);
      throw error;
    }
  });
});
