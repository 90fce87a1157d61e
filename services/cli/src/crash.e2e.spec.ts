import { resolve } from 'node:path';
import { sleep } from '@verity/events';
import { appendOutputTails, childService, type ChildService } from './testing/child-service';
import { expectExactlyOnce } from './testing/exactly-once';
import { startReceiveLoad, type ReceiveLoad } from './testing/receive-load';
import { eventually, startTestPlatform, type TestPlatform } from './testing/test-platform';

const TENANT = 'crash';
const SKUS = Array.from({ length: 20 }, (_, i) => `SKU-${String(i).padStart(2, '0')}`);
const LOCATIONS = ['lyon', 'turin'];
const CLIENTS = 6;
const KILLS = 3;
/** Long enough that most commands get their outcome in the request; the rest are 202 and resolved later. */
const REPLY_TIMEOUT_MS = 15_000;
const PROCESSOR_MAIN = resolve(__dirname, '../../command-processor/dist/main.js');

describe('the command processor killed with SIGKILL under load', () => {
  let platform: TestPlatform;
  let processor: ChildService | undefined;

  beforeAll(async () => {
    platform = await startTestPlatform(['projector', 'gateway', 'query-api'], {
      env: { VERITY_REPLY_TIMEOUT_MS: String(REPLY_TIMEOUT_MS) },
    });
  });
  afterAll(async () => {
    await processor?.stop();
    await platform?.stop();
  });

  it('loses nothing, duplicates nothing, keeps every chain and rebuilds the same projection', async () => {
    const groupId = `${platform.prefix}.inventory.command-processor`;
    processor = childService('command-processor', PROCESSOR_MAIN, platform.env);
    const child = processor;
    let load: ReceiveLoad | undefined;
    try {
      child.start();
      load = startReceiveLoad(platform, {
        tenant: TENANT,
        clients: CLIENTS,
        skus: SKUS,
        locations: LOCATIONS,
        idPrefix: 'crash',
      });
      const running = load;

      /** The processor's group has settled on one live member and outcomes flow again. */
      async function recovered(what: string): Promise<void> {
        const before = running.answered();
        await eventually(
          async () => {
            child.assertAlive();
            const [group] = (await platform.admin.describeGroups([groupId])).groups;
            return group?.state === 'Stable' && group.members.length === 1 && running.answered() >= before + 3
              ? true
              : undefined;
          },
          60_000,
          what,
        );
      }

      await recovered('first processor processing');
      for (let kill = 1; kill <= KILLS; kill++) {
        await sleep(2000 + Math.random() * 3000);
        await child.kill();
        child.start();
        // A killed member stays in the group until its session times out: the partitions wait for it.
        await recovered(`processor recovered after kill ${kill}`);
      }
      await sleep(2000);
      const { pendingAfterLoad } = await load.finish();
      const figures = await expectExactlyOnce(platform, TENANT, load.sent);

      expect(child.kills).toEqual(Array(KILLS).fill('SIGKILL'));
      console.log(
        `crash test: ${load.sent.length} commands, ${figures.accepted} accepted, ${pendingAfterLoad} answered 202 and resolved later, ` +
          `${load.sent.filter((c) => c.attempts > 1).length} retried, ${child.kills.length} kills, ${figures.events} events on ${figures.streams} streams`,
      );
    } catch (error) {
      appendOutputTails(error, [child]);
      throw error;
    } finally {
      // Also on a failure, so the clients stop sending and jest can exit.
      load?.halt();
    }
  }, 240_000);
});
