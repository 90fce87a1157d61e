import { fromHeaders } from '@verity/core';
import { contextTopics, readCheckpoints, verifyChain, type ChainLink } from '@verity/events';
import { inventoryStockProjection } from '@verity/projection-inventory-stock';
import { createService } from '../services';
import { readToEnd, type PartitionRecord } from './read-to-end';
import type { AcceptedOutcome, SentCommand } from './receive-load';
import { eventually, type TestPlatform } from './test-platform';

export interface ExactlyOnceFigures {
  accepted: number;
  events: number;
  streams: number;
}

type Event = PartitionRecord & { metadata: ReturnType<typeof fromHeaders> };

/**
 * What a crash under load must not break, checked against the log and the read models once
 * every ReceiveStock sent has its outcome: every command was accepted, (1) each has exactly
 * one event and no event is there twice or without its command, (2) each stream's versions
 * run 1..n and its replies name their events, (3) every stream's hash chain verifies, and (4)
 * the live projection equals the sums of the commands and a rebuild from offset 0.
 */
export async function expectExactlyOnce(
  platform: TestPlatform,
  tenant: string,
  sent: readonly SentCommand[],
): Promise<ExactlyOnceFigures> {
  const topics = contextTopics('inventory', platform.prefix);
  expect(sent.filter((c) => c.status !== 200 && c.status !== 202).map((c) => [c.commandId, c.status, c.error])).toEqual(
    [],
  );
  // ReceiveStock with a positive quantity and no expected version is never rejected: every command must be accepted.
  expect(
    sent.filter((c) => c.outcome?.status !== 'accepted').map((c) => [c.commandId, c.outcome?.status ?? 'no outcome']),
  ).toEqual([]);
  const accepted = new Map(sent.map((c) => [c.commandId, { command: c, reply: c.outcome as AcceptedOutcome }]));

  // (1) Exactly one event per accepted command, none for anything else, no event twice.
  const records = (await readToEnd(platform.kafka, platform.admin, topics.events, platform.prefix)).sort(
    (a, b) => a.partition - b.partition || Number(BigInt(a.message.offset) - BigInt(b.message.offset)),
  );
  const events: Event[] = records.map((record) => ({ ...record, metadata: fromHeaders(record.message.headers) }));
  const byCommand = new Map<string, Event[]>();
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
  const streams = new Map<string, Event[]>();
  for (const event of events)
    streams.set(event.metadata.subject, [...(streams.get(event.metadata.subject) ?? []), event]);
  for (const [streamId, stream] of streams) {
    expect([streamId, stream.map((e) => e.metadata.streamVersion)]).toEqual([streamId, stream.map((_, i) => i + 1)]);
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
  await caughtUp(platform.schema, 'live projection caught up');
  const live = await readModel(platform, platform.schema);

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
        tenant,
        sku: key.split('/')[0],
        location: key.split('/')[1],
        on_hand: String(sum),
        reserved: '0',
      })),
    items: [...versions].sort(([a], [b]) => a.localeCompare(b)).map(([sku, version]) => ({ tenant, sku, version })),
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
    expect(await readModel(platform, rebuildSchema)).toEqual(live);
  } finally {
    await rebuild.stop();
    await platform.db.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [rebuildSchema]);
  }
  return { accepted: accepted.size, events: events.length, streams: streams.size };
}

async function readModel(platform: TestPlatform, schema: string) {
  return {
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
  };
}
