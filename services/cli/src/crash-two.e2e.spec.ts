import { resolve } from 'node:path';
import { contextTopics, processorGroupId, sleep } from '@verity/events';
import { appendOutputTails, childService, type ChildService } from './testing/child-service';
import { expectExactlyOnce } from './testing/exactly-once';
import { stableGroup, type GroupAssignment } from './testing/group-assignment';
import { skusOnEveryPartition } from './testing/partition-skus';
import { startReceiveLoad, type ReceiveLoad } from './testing/receive-load';
import { eventually, startTestPlatform, type TestPlatform } from './testing/test-platform';

const TENANT = 'crash';
/** More partitions than the default 3, so that each of two instances owns several. */
const PARTITIONS = 6;
const ALL = Array.from({ length: PARTITIONS }, (_, p) => p);
const LOCATIONS = ['lyon', 'turin'];
const CLIENTS = 6;
type Instance = 'a' | 'b';
const KILLS_EACH = 3;
/** Alternating, so the instance killed last time is the survivor this time. */
const VICTIMS = Array.from({ length: 2 * KILLS_EACH }, (_, i): Instance => (i % 2 === 0 ? 'a' : 'b'));
/** Long enough that most commands get their outcome in the request; the rest are 202 and resolved later. */
const REPLY_TIMEOUT_MS = 15_000;
const PROCESSOR_MAIN = resolve(__dirname, '../../command-processor/dist/main.js');

const ownerOf = (group: GroupAssignment | undefined, partition: number): string | undefined =>
  group?.members.find((m) => m.partitions.includes(partition))?.memberId;

describe('two command processors in one group, each killed with SIGKILL in turn under load', () => {
  let platform: TestPlatform;
  const processors = new Map<Instance, ChildService>();

  beforeAll(async () => {
    platform = await startTestPlatform(['projector', 'gateway', 'query-api'], {
      env: { VERITY_REPLY_TIMEOUT_MS: String(REPLY_TIMEOUT_MS), VERITY_PARTITIONS: String(PARTITIONS) },
    });
  });
  afterAll(async () => {
    await Promise.all([...processors.values()].map((p) => p.stop()));
    await platform?.stop();
  });

  it('moves partitions between them and loses nothing, duplicates nothing, keeps every chain and rebuilds the same projection', async () => {
    const commandsTopic = contextTopics('inventory', platform.prefix).commands;
    const groupId = processorGroupId('inventory', platform.prefix);
    for (const id of ['a', 'b'] as const)
      processors.set(
        id,
        // A stable id per instance: the restarted one fences its killed predecessor's transaction at once.
        childService(`command-processor ${id}`, PROCESSOR_MAIN, {
          ...platform.env,
          VERITY_INSTANCE_ID: id,
          VERITY_LOG_LEVEL: 'info',
        }),
      );
    const children = [...processors.values()];
    const processor = (id: Instance): ChildService => processors.get(id)!;
    let load: ReceiveLoad | undefined;
    try {
      // Together, as a deployment of two replicas starts them.
      for (const child of children) child.start();
      load = startReceiveLoad(platform, {
        tenant: TENANT,
        clients: CLIENTS,
        // Every partition carries load, so a partition that moves can be seen to work for its new owner.
        skus: skusOnEveryPartition(TENANT, PARTITIONS, 4).flat(),
        locations: LOCATIONS,
        idPrefix: 'crash-two',
      });
      const running = load;
      /** Which instance each group member is, learnt as members come and go. */
      const instanceOf = new Map<string, Instance>();
      const stages: { what: string; group: GroupAssignment; ms: number }[] = [];

      /**
       * The group is Stable with `members` live members sharing every partition, none idle, and
       * each partition whose owner changed since `before` has a new outcome: its new owner decides.
       */
      async function settled(members: number, before: GroupAssignment | undefined, what: string) {
        const started = Date.now();
        const group = await stableGroup(platform.admin, groupId, commandsTopic, {
          members,
          partitions: ALL,
          alive: children,
          what,
        });
        const moved = ALL.filter((p) => ownerOf(before, p) !== ownerOf(group, p));
        const base = moved.map((p) => running.answered(p));
        await eventually(
          async () => (moved.every((p, i) => running.answered(p) > base[i]!) ? true : undefined),
          60_000,
          `${what}: an outcome on each partition that moved (${moved.join()})`,
        );
        stages.push({ what, group, ms: Date.now() - started });
        return group;
      }

      let group = await settled(2, undefined, 'both processors processing');
      for (const [kill, victim] of VICTIMS.entries()) {
        const survivor: Instance = victim === 'a' ? 'b' : 'a';
        await sleep(1000 + Math.random() * 2000);
        await processor(victim).kill();
        // The killed member stays in the group until its session times out: its partitions wait for it.
        const alone = await settled(1, group, `${survivor} alone after kill ${kill + 1} (of ${victim})`);
        const [kept] = alone.members;
        // The survivor kept its membership; the member that left was the victim.
        expect(group.members.map((m) => m.memberId)).toContain(kept!.memberId);
        for (const { memberId } of group.members)
          instanceOf.set(memberId, memberId === kept!.memberId ? survivor : victim);
        expect(alone.members.map((m) => [instanceOf.get(m.memberId), m.partitions])).toEqual([[survivor, ALL]]);

        processor(victim).start();
        group = await settled(2, alone, `${victim} back after kill ${kill + 1}`);
        for (const { memberId } of group.members) if (memberId !== kept!.memberId) instanceOf.set(memberId, victim);
        expect(group.members.map((m) => instanceOf.get(m.memberId)).sort()).toEqual(['a', 'b']);
      }
      await sleep(2000);
      const { pendingAfterLoad } = await load.finish();
      const figures = await expectExactlyOnce(platform, TENANT, load.sent);

      for (const child of children)
        expect([child.name, child.kills]).toEqual([child.name, Array(KILLS_EACH).fill('SIGKILL')]);
      const owners = (g: GroupAssignment) =>
        g.members.map((m) => `${instanceOf.get(m.memberId) ?? '?'}:${m.partitions.join(',')}`).join(' ');
      console.log(
        `crash test, two processors: ${load.sent.length} commands, ${figures.accepted} accepted, ${pendingAfterLoad} answered 202 and resolved later, ` +
          `${load.sent.filter((c) => c.attempts > 1).length} retried, ${VICTIMS.length} kills, ${figures.events} events on ${figures.streams} streams\n` +
          stages.map((s) => `  ${s.what}: ${owners(s.group)} (${(s.ms / 1000).toFixed(1)} s)`).join('\n'),
      );
    } catch (error) {
      appendOutputTails(error, children);
      throw error;
    } finally {
      // Also on a failure, so the clients stop sending and jest can exit.
      load?.halt();
    }
  }, 240_000);
});
