import { resolve } from 'node:path';
import { fromHeaders, type CommandReply } from '@verity/core';
import { contextTopics, readCheckpoints, sleep, verifyChain, type ChainLink } from '@verity/events';
import { inventoryStockProjection } from '@verity/projection-inventory-stock';
import { createService } from './services';
import { childService, type ChildService } from './testing/child-service';
import { readToEnd, type PartitionRecord } from './testing/read-to-end';
import { eventually, postCommand, startTestPlatform, type TestPlatform } from './testing/test-platform';

const RECEIVE = 'inventory.ReceiveStock';
const TENANT = 'crash';
const SKUS = Array.from({ length: 20 }, (_, i) => `SKU-${String(i).padStart(2, '0')}`);
const LOCATIONS = ['lyon', 'turin'];
const CLIENTS = 6;
const KILLS = 3;
/** Long enough that most commands get their outcome in the request; the rest are 202 and resolved later. */
const REPLY_TIMEOUT_MS = 15_000;
const PROCESSOR_MAIN = resolve(__dirname, '../../command-processor/dist/main.js');

type Accepted = Extract<CommandReply, { status: 'accepted' }>;

/** One command a client sent, with the outcome it finally learnt. */
interface Sent {
  commandId: string;
  sku: string;
  location: string;
  quantity: number;
  /** HTTP status of the last POST attempt (after retries of network errors and 5xx). */
  status?: number;
  attempts: number;
  /** Why the last attempt failed, when no HTTP answer came at all. */
  error?: string;
  outcome?: Omit<CommandReply, 'fingerprint'>;
}

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
    const topics = contextTopics('inventory', platform.prefix);
    const groupId = `${platform.prefix}.inventory.command-processor`;
    processor = childService('command-processor', PROCESSOR_MAIN, platform.env);
    const child = processor;
    // Cleared on every way out, so the clients stop sending and jest can exit after a failure.
    let loading = true;
    try {
      child.start();
      const sent: Sent[] = [];
      let answered = 0;

      async function post(command: Sent): Promise<void> {
        const body = { sku: command.sku, location: command.location, quantity: command.quantity };
        // A network error or 5xx says nothing about the outcome: send the same key again.
        for (command.attempts = 1; ; command.attempts++) {
          try {
            const res = await postCommand(platform, RECEIVE, body, {
              'X-Tenant-Id': TENANT,
              'Idempotency-Key': command.commandId,
            });
            command.status = res.status;
            if (res.status === 200) {
              command.outcome = { status: 'accepted', ...res.body } as Accepted;
              answered += 1;
            }
            if (res.status < 500 || command.attempts >= 5) return;
          } catch (error) {
            command.error = (error as Error).message;
            if (command.attempts >= 5) return;
          }
          await sleep(200 * command.attempts);
        }
      }

      async function client(n: number): Promise<void> {
        for (let i = 0; loading; i++) {
          const command: Sent = {
            commandId: `crash-${n}-${i}`,
            sku: SKUS[Math.floor(Math.random() * SKUS.length)]!,
            location: LOCATIONS[Math.floor(Math.random() * LOCATIONS.length)]!,
            quantity: 1 + Math.floor(Math.random() * 9),
            attempts: 0,
          };
          sent.push(command);
          await post(command);
        }
      }

      /** The processor's group has settled on one live member and outcomes flow again. */
      async function recovered(what: string): Promise<void> {
        const before = answered;
        await eventually(
          async () => {
            child.assertAlive();
            const [group] = (await platform.admin.describeGroups([groupId])).groups;
            return group?.state === 'Stable' && group.members.length === 1 && answered >= before + 3 ? true : undefined;
          },
          60_000,
          what,
        );
      }

      const clients = Array.from({ length: CLIENTS }, (_, n) => client(n));
      await recovered('first processor processing');
      for (let kill = 1; kill <= KILLS; kill++) {
        await sleep(2000 + Math.random() * 3000);
        await child.kill();
        child.start();
        // A killed member stays in the group until its session times out (30 s): the partitions wait for it.
        await recovered(`processor recovered after kill ${kill}`);
      }
      await sleep(2000);
      loading = false;
      await Promise.all(clients);

      // Every command has an outcome in the end: those answered 202 are looked up by id.
      const pendingAfterLoad = sent.filter((c) => !c.outcome);
      // Bounded; a command still without an outcome is then named by the assertions below.
      for (
        const deadline = Date.now() + 60_000;
        sent.some((c) => !c.outcome) && Date.now() < deadline;
        await sleep(250)
      ) {
        await Promise.all(
          sent
            .filter((c) => !c.outcome)
            .map(async (c) => {
              const res = await fetch(`${platform.urls.gateway}/v1/commands/${c.commandId}`, {
                headers: { 'X-Tenant-Id': TENANT },
              });
              // 404: the outcome is not written yet (this gateway no longer waits for it).
              const body =
                res.status === 200
                  ? ((await res.json()) as Omit<CommandReply, 'fingerprint'> | { status: 'pending' })
                  : undefined;
              if (body && body.status !== 'pending') c.outcome = body;
            }),
        );
      }
      expect(
        sent.filter((c) => c.status !== 200 && c.status !== 202).map((c) => [c.commandId, c.status, c.error]),
      ).toEqual([]);
      // ReceiveStock with a positive quantity and no expected version is never rejected: every command must be accepted.
      expect(
        sent
          .filter((c) => c.outcome?.status !== 'accepted')
          .map((c) => [c.commandId, c.outcome?.status ?? 'no outcome']),
      ).toEqual([]);
      const accepted = new Map(
        sent.map((c) => [c.commandId, { command: c, reply: c.outcome as Omit<Accepted, 'fingerprint'> }]),
      );

      // (1) Exactly one event per accepted command, none for anything else, no event twice.
      const records = (await readToEnd(platform.kafka, platform.admin, topics.events, platform.prefix)).sort(
        (a, b) => a.partition - b.partition || Number(BigInt(a.message.offset) - BigInt(b.message.offset)),
      );
      const events = records.map((record) => ({ ...record, metadata: fromHeaders(record.message.headers) }));
      const byCommand = new Map<string, typeof events>();
      for (const event of events)
        byCommand.set(event.metadata.causationId, [...(byCommand.get(event.metadata.causationId) ?? []), event]);
      expect([...byCommand].filter(([, list]) => list.length !== 1).map(([id, list]) => [id, list.length])).toEqual([]);
      expect([...byCommand.keys()].filter((id) => !accepted.has(id))).toEqual([]);
      expect([...accepted.keys()].filter((id) => !byCommand.has(id))).toEqual([]);
      expect(new Set(events.map((e) => e.metadata.id)).size).toBe(events.length);
      for (const [commandId, [event]] of byCommand) {
        const { command, reply } = accepted.get(commandId)!;
        expect(await platform.registry.decode(event!.message.value!)).toEqual({
          sku: command.sku,
          location: command.location,
          quantity: command.quantity,
        });
        // (2, replies) The reply names this very event: its version and where it is in the log.
        expect({
          streamId: reply.streamId,
          version: reply.version,
          events: reply.events.map((e) => [e.partition, e.offset]),
        }).toEqual({
          streamId: event!.metadata.subject,
          version: event!.metadata.streamVersion,
          events: [[event!.partition, event!.message.offset]],
        });
      }

      // (2) Versions 1..n without gaps per stream, and (3) every stream's hash chain holds.
      const streams = new Map<string, (PartitionRecord & { metadata: ReturnType<typeof fromHeaders> })[]>();
      for (const event of events)
        streams.set(event.metadata.subject, [...(streams.get(event.metadata.subject) ?? []), event]);
      for (const [streamId, stream] of streams) {
        expect([streamId, stream.map((e) => e.metadata.streamVersion)]).toEqual([
          streamId,
          stream.map((_, i) => i + 1),
        ]);
        const links: ChainLink[] = stream.map((e) => ({
          offset: e.message.offset,
          metadata: e.metadata,
          value: e.message.value!,
        }));
        expect([streamId, verifyChain(links)]).toEqual([
          streamId,
          { ok: true, events: stream.length, lastVersion: stream.length, lastHash: stream.at(-1)!.metadata.hash },
        ]);
      }

      // (4) The live projection, caught up, equals the sums of the accepted commands and a rebuild from offset 0.
      const ends = new Map<number, bigint>();
      for (const { partition, message } of events) ends.set(partition, BigInt(message.offset) + 1n);
      const caughtUp = (schema: string, what: string) =>
        eventually(
          async () => {
            const checkpoints = await readCheckpoints(
              platform.db,
              schema,
              inventoryStockProjection.name,
              topics.events,
            ).catch(() => new Map<number, string>());
            return [...ends].every(([partition, end]) => BigInt(checkpoints.get(partition) ?? '0') >= end)
              ? true
              : undefined;
          },
          30_000,
          what,
        );
      const readModel = async (schema: string) => ({
        levels: await platform.db
          .withSchema(schema)
          .table('stock_levels')
          .orderBy(['tenant', 'sku', 'location'])
          .select('tenant', 'sku', 'location', 'on_hand', 'reserved'),
        items: await platform.db
          .withSchema(schema)
          .table('stock_items')
          .orderBy(['tenant', 'sku'])
          .select('tenant', 'sku', 'version'),
      });
      await caughtUp(platform.schema, 'live projection caught up');
      const live = await readModel(platform.schema);

      const onHand = new Map<string, number>();
      const versions = new Map<string, number>();
      for (const { command } of accepted.values()) {
        onHand.set(
          `${command.sku}/${command.location}`,
          (onHand.get(`${command.sku}/${command.location}`) ?? 0) + command.quantity,
        );
        versions.set(command.sku, (versions.get(command.sku) ?? 0) + 1);
      }
      expect(live).toEqual({
        levels: [...onHand]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([key, sum]) => ({
            tenant: TENANT,
            sku: key.split('/')[0],
            location: key.split('/')[1],
            on_hand: String(sum),
            reserved: '0',
          })),
        items: [...versions]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([sku, version]) => ({ tenant: TENANT, sku, version })),
      });

      const rebuildSchema = `${platform.schema}_rebuild`;
      const rebuild = createService('projector', {
        ...platform.env,
        VERITY_DB_SCHEMA: rebuildSchema,
        VERITY_PROJECTOR_GROUP_PREFIX: `${platform.prefix}.rebuild`,
      });
      try {
        await rebuild.start();
        await caughtUp(rebuildSchema, 'rebuilt projection caught up');
        expect(await readModel(rebuildSchema)).toEqual(live);
      } finally {
        await rebuild.stop();
        await platform.db.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [rebuildSchema]);
      }

      expect(child.kills).toEqual(Array(KILLS).fill('SIGKILL'));
      console.log(
        `crash test: ${sent.length} commands, ${accepted.size} accepted, ${pendingAfterLoad.length} answered 202 and resolved later, ` +
          `${sent.filter((c) => c.attempts > 1).length} retried, ${child.kills.length} kills, ${events.length} events on ${streams.size} streams`,
      );
    } catch (error) {
      // The processor's own words are what explain a failure here.
      if (error instanceof Error)
        error.message += `\n--- command-processor output (tail) ---\n${child.output().slice(-20_000)}`;
      throw error;
    } finally {
      loading = false;
    }
  }, 240_000);
});
