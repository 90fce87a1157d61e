import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { contextTopics, processorGroupId } from '@verity/events';
import { appendOutputTails, childService, type ChildService } from './testing/child-service';
import { describeAssignment, stableGroup, type GroupAssignment } from './testing/group-assignment';
import { skusOnEveryPartition } from './testing/partition-skus';
import { readToEnd } from './testing/read-to-end';
import { eventually, postCommand, startTestPlatform, type TestPlatform } from './testing/test-platform';

const TENANT = 'store';
const PARTITIONS = 6;
const ALL = Array.from({ length: PARTITIONS }, (_, p) => p);
const PROCESSOR_MAIN = resolve(__dirname, '../../command-processor/dist/main.js');
const CLI_MAIN = resolve(__dirname, '../dist/main.js');
type Instance = 'a' | 'b';

/** What an instance logged when it restored a state partition of the inventory context. */
interface Restore {
  run: number;
  partition: number;
  read: number;
}

function restoresOf(child: ChildService): Restore[] {
  const restores: Restore[] = [];
  for (const line of child.output().split('\n')) {
    const match = /^\[[^\]]* #(\d+)\] (\{.*\})$/.exec(line);
    if (!match) continue;
    const entry = JSON.parse(match[2]!) as { msg?: string; context?: string; partition?: number; read?: number };
    if (entry.msg === 'state partition restored' && entry.context === 'inventory')
      restores.push({ run: Number(match[1]), partition: entry.partition!, read: entry.read! });
  }
  return restores;
}

describe("a processor's local state store", () => {
  let platform: TestPlatform;
  const processors = new Map<Instance, ChildService>();
  const skus = skusOnEveryPartition(TENANT, PARTITIONS, 2);
  /** Each stream's version after the commands sent so far, by SKU. */
  const versions = new Map<string, number>();
  let sent = 0;

  beforeAll(async () => {
    platform = await startTestPlatform(['gateway'], {
      env: { VERITY_REPLY_TIMEOUT_MS: '20000', VERITY_PARTITIONS: String(PARTITIONS) },
    });
    for (const id of ['a', 'b'] as const)
      processors.set(
        id,
        childService(`command-processor ${id}`, PROCESSOR_MAIN, {
          ...platform.env,
          VERITY_INSTANCE_ID: id,
          VERITY_LOG_LEVEL: 'info',
        }),
      );
  });
  afterAll(async () => {
    await Promise.all([...processors.values()].map((p) => p.stop()));
    await platform?.stop();
  });

  const processor = (id: Instance) => processors.get(id)!;
  const groupId = () => processorGroupId('inventory', platform.prefix);
  const topics = () => contextTopics('inventory', platform.prefix);

  const group = (members: number): Promise<GroupAssignment> =>
    stableGroup(platform.admin, groupId(), topics().commands, {
      members,
      partitions: ALL,
      alive: processors.values(),
      what: 'processors',
    });

  /** A ReceiveStock on each of the SKUs of `partitions`; each must be accepted at its stream's next version. */
  async function receiveOn(partitions: readonly number[]): Promise<void> {
    for (const sku of partitions.flatMap((p) => skus[p]!)) {
      sent += 1;
      const res = await postCommand(
        platform,
        'inventory.ReceiveStock',
        { sku, location: 'lyon', quantity: 1 },
        { 'X-Tenant-Id': TENANT, 'Idempotency-Key': `store-${sent}` },
      );
      const expected = (versions.get(sku) ?? 0) + 1;
      expect([sku, res.status, res.body.version]).toEqual([sku, 200, expected]);
      versions.set(sku, expected);
    }
  }

  /** Whether the processors' group has no member left. */
  async function group0(): Promise<boolean> {
    const now = await describeAssignment(platform.admin, groupId(), topics().commands);
    return now.members.length === 0;
  }

  /** State records per partition on the state topic now. */
  async function stateRecords(): Promise<Map<number, number>> {
    const records = await readToEnd(platform.kafka, platform.admin, topics().state, platform.prefix);
    const counts = new Map<number, number>(ALL.map((p) => [p, 0]));
    for (const { partition } of records) counts.set(partition, counts.get(partition)! + 1);
    return counts;
  }

  it('restores only the partitions it owns, the rest when a rebalance hands them over, and nothing twice after a restart', async () => {
    const a = processor('a');
    const b = processor('b');
    try {
      a.start();
      const alone = await group(1);
      await receiveOn(ALL);
      await receiveOn(ALL);

      // b joins with an empty store: it reads the state of its half, and nothing of a's.
      const before = await stateRecords();
      b.start();
      const halves = await group(2);
      // a keeps its membership through the rebalance: the other member is b.
      const ofB = halves.members.find((m) => m.memberId !== alone.members[0]!.memberId)!.partitions;
      const owned = (child: ChildService) => restoresOf(child).filter((r) => r.run === 1);
      // Timers restore every owned partition within a check; a command restores its own at once.
      await receiveOn(ALL);
      const restoredByB = await eventually(async () => {
        const restores = owned(b);
        return restores.length >= ofB.length ? restores : undefined;
      });
      expect(restoredByB.map((r) => r.partition).sort()).toEqual([...ofB].sort());
      for (const { partition, read } of restoredByB)
        expect([partition, read]).toEqual([partition, before.get(partition)]);
      expect(restoredByB.reduce((sum, r) => sum + r.read, 0)).toBeLessThan(
        [...before.values()].reduce((sum, n) => sum + n, 0),
      );

      // a dies: b takes its half, restores it from the start (it never held it) and decides on it.
      const beforeKill = await stateRecords();
      await a.kill();
      await group(1);
      await receiveOn(ALL);
      const ofA = ALL.filter((p) => !ofB.includes(p));
      const takenOver = owned(b).filter((r) => ofA.includes(r.partition));
      expect(takenOver.map((r) => r.partition).sort()).toEqual(ofA);
      for (const { partition, read } of takenOver)
        expect([partition, read]).toEqual([partition, beforeKill.get(partition)]);

      // Restarted on its store: it reads only what was written since its checkpoints.
      await b.kill();
      b.start();
      await group(1);
      await receiveOn(ALL);
      const afterRestart = await eventually(async () => {
        const restores = restoresOf(b).filter((r) => r.run === 2);
        return restores.length >= PARTITIONS ? restores : undefined;
      });
      // At most the last round's snapshots, if the kill came before their write to the store.
      const total = [...(await stateRecords()).values()].reduce((sum, n) => sum + n, 0);
      expect(afterRestart.reduce((sum, r) => sum + r.read, 0)).toBeLessThanOrEqual(skus.flat().length);
      expect(total).toBeGreaterThan(4 * skus.flat().length);
    } catch (error) {
      appendOutputTails(error, [a, b]);
      throw error;
    }
  });

  it('rebuilds a store lost on disk from the state topic and decides as before, repeats included', async () => {
    const b = processor('b');
    try {
      const first = await postCommand(
        platform,
        'inventory.ReceiveStock',
        { sku: skus[0]![0], location: 'turin', quantity: 5 },
        { 'X-Tenant-Id': TENANT, 'Idempotency-Key': 'store-lost-original' },
      );
      expect(first.status).toBe(200);
      versions.set(skus[0]![0]!, first.body.version as number);

      await b.stop();
      await rm(join(platform.env.VERITY_STATE_DIR!, `${groupId()}.b`), { recursive: true, force: true });
      const all = await stateRecords();
      b.start();
      await group(1);
      await receiveOn(ALL);
      const rebuilt = await eventually(async () => {
        const restores = restoresOf(b).filter((r) => r.run === 3);
        return restores.length >= PARTITIONS ? restores : undefined;
      });
      expect(rebuilt.reduce((sum, r) => sum + r.read, 0)).toBe([...all.values()].reduce((sum, n) => sum + n, 0));

      // The repeat is answered from what the rebuilt store remembers (a restarted gateway has
      // not seen the reply, and no outcomes read model runs here): the same reply, no new event.
      await platform.stopService('gateway');
      await platform.startService('gateway');
      const repeat = await postCommand(
        platform,
        'inventory.ReceiveStock',
        { sku: skus[0]![0], location: 'turin', quantity: 5 },
        { 'X-Tenant-Id': TENANT, 'Idempotency-Key': 'store-lost-original' },
      );
      expect(repeat.status).toBe(200);
      expect(repeat.body).toEqual(first.body);
    } catch (error) {
      appendOutputTails(error, [b]);
      throw error;
    }
  });

  it('reads a state topic lost and rebuilt from its start, not from the old checkpoints', async () => {
    const b = processor('b');
    try {
      await b.stop();
      await eventually(async () => ((await group0()) ? true : undefined), 30_000, 'processors group empty');
      await platform.admin.deleteTopics({ topics: [topics().state] });
      await eventually(async () => ((await platform.admin.listTopics()).includes(topics().state) ? undefined : true));
      const rebuild = await new Promise<{ code: number; stderr: string }>((done) =>
        execFile(
          process.execPath,
          [CLI_MAIN, 'state', 'rebuild', 'inventory'],
          { env: platform.env },
          (error, _out, stderr) => done({ code: error ? Number(error.code) : 0, stderr }),
        ),
      );
      expect(rebuild).toMatchObject({ code: 0 });
      const rebuilt = await stateRecords();

      b.start();
      await group(1);
      await receiveOn(ALL);
      const restores = await eventually(async () => {
        const run = restoresOf(b).filter((r) => r.run === 4);
        return run.length >= PARTITIONS ? run : undefined;
      });
      for (const { partition, read } of restores)
        expect([partition, read]).toEqual([partition, rebuilt.get(partition)]);
    } catch (error) {
      appendOutputTails(error, [b]);
      throw error;
    }
  });
});
