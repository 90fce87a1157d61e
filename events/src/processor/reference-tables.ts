import { ClassicLevel } from 'classic-level';
import type { Admin } from 'kafkajs';
import { LRUCache } from 'lru-cache';
import type { ContextDefinition, ReferenceDefinition } from '@verity/core';
import { streamIdOf } from '@verity/core';
import { PartitionEnds } from '../partition-ends';
import { PartitionReader, type ReadRecord } from '../partition-reader';
import { fetchTopicOffsets } from '../topic-offsets';
import type { ContextTopics } from '../topics';
import type { KafkaSecurity } from '../kafka-security';
import { parseSnapshot } from './stream-snapshot';

interface Reference {
  name: string;
  definition: ReferenceDefinition;
  reader: PartitionReader;
}

export interface ReferenceTablesOptions {
  brokers: readonly string[];
  /** TLS and SASL of the cluster, for the readers. */
  security?: KafkaSecurity;
  /** Tells how many partitions each referenced state topic has. */
  admin: Admin;
  context: ContextDefinition;
  topicsOf: (context: string) => ContextTopics;
  /** The folder of this instance's reference store. */
  path: string;
  /** Names this instance's readers. */
  clientId: string;
  /** Views kept decoded in memory, across references. Default 50,000. */
  cacheSize?: number;
}

const VIEW = 'v:';
const CHECKPOINT = 'c:';

/**
 * The references of one context (see `ReferenceDefinition`): the view of each stream of the
 * referenced contexts, read from their state topics (which hold the snapshot each processor
 * committed with its events) into a local store, every partition, resumed from where it left
 * off, with a bounded cache in front: memory and restart time do not grow with the number of
 * referenced streams. Catching up before a decision means a command sent after another
 * context acknowledged a change is decided on that change.
 */
export class ReferenceTables {
  private readonly references: Reference[];
  private readonly cache: LRUCache<string, { view: unknown }>;
  private db: ClassicLevel<string, Buffer> | undefined;
  /** Asked before every batch whose commands use a reference. */
  private readonly ends: PartitionEnds;

  constructor(private readonly options: ReferenceTablesOptions) {
    const { context, topicsOf, brokers, clientId, security } = options;
    this.ends = new PartitionEnds({
      brokers,
      clientId: `${clientId}.reference-ends`,
      ...(security ? { security } : {}),
      // The high end: a change acknowledged by the referenced context (its reply committed) may
      // not have its commit marker on the state partition yet, and is waited for. The cost: a
      // catch-up waits for the referenced processor's transaction open at the call, and for one
      // its crash left open, until the transaction timeout (10 s) or the restart's fencing ends it.
      end: 'high',
    });
    this.cache = new LRUCache({ max: options.cacheSize ?? 50_000 });
    this.references = Object.entries(context.references ?? {}).map(([name, definition]) => ({
      name,
      definition,
      reader: new PartitionReader({
        brokers,
        ends: this.ends,
        ...(security ? { security } : {}),
        topic: topicsOf(definition.context).state,
        clientId: `${clientId}.reference.${name}`,
        apply: (records) => this.apply(name, definition, records),
      }),
    }));
  }

  async start(): Promise<void> {
    if (this.references.length === 0) return;
    const db = new ClassicLevel<string, Buffer>(this.options.path, { valueEncoding: 'buffer' });
    await db.open({ createIfMissing: true });
    this.db = db;
    for (const { name, definition, reader } of this.references) {
      const offsets = await fetchTopicOffsets(this.options.admin, this.options.topicsOf(definition.context).state);
      const stored = await db.getMany(offsets.map((o) => `${CHECKPOINT}${name}:${o.partition}`));
      // A checkpoint past a partition's end means the topic was created again: read it from the start.
      const from = offsets.map(({ partition, high }, i): [number, bigint] => {
        const checkpoint = stored[i] ? BigInt(stored[i].toString()) : 0n;
        return [partition, checkpoint <= BigInt(high) ? checkpoint : 0n];
      });
      await reader.start(new Map(from));
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.references.map(({ reader }) => reader.stop()));
    this.ends.close();
    await this.db?.close();
    this.db = undefined;
  }

  /** Keeps each record's view, and moves the partitions' checkpoints past them. */
  private async apply(name: string, definition: ReferenceDefinition, records: ReadRecord[]): Promise<void> {
    const operations: { type: 'put'; key: string; value: Buffer }[] = [];
    const checkpoints = new Map<number, bigint>();
    for (const record of records) {
      const view = definition.view(parseSnapshot(record.value).state);
      operations.push({
        type: 'put',
        key: `${VIEW}${name}:${record.key}`,
        value: Buffer.from(JSON.stringify({ view })),
      });
      checkpoints.set(record.partition, record.offset + 1n);
    }
    for (const [partition, offset] of checkpoints)
      operations.push({ type: 'put', key: `${CHECKPOINT}${name}:${partition}`, value: Buffer.from(offset.toString()) });
    await this.db!.batch(operations);
    // After the write: a lookup meanwhile may have cached the value it replaces.
    for (const record of records) this.cache.delete(`${name}:${record.key}`);
  }

  /** Waits until every table the given commands use holds what was committed up to now. */
  async catchUpFor(commandNames: Iterable<string>): Promise<void> {
    const names = new Set(commandNames);
    await Promise.all(
      this.references.filter((r) => r.definition.commands.some((c) => names.has(c))).map((r) => r.reader.catchUp()),
    );
  }

  /** The views a command is handed, by reference name; null where the referenced stream does not exist. */
  lookup(commandName: string, tenant: string, payload: Record<string, unknown>): Record<string, unknown> | undefined {
    const used = this.references.filter((r) => r.definition.commands.includes(commandName));
    if (used.length === 0) return undefined;
    return Object.fromEntries(
      used.map(({ name, definition }) => [name, this.view(name, streamIdOf(tenant, definition.aggregateId(payload)))]),
    );
  }

  /** A referenced stream's view: read from the store synchronously when not cached (a small local read). */
  private view(name: string, streamId: string): unknown {
    const key = `${name}:${streamId}`;
    let held = this.cache.get(key);
    if (!held) {
      const stored = this.db!.getSync(`${VIEW}${key}`);
      if (!stored) return null;
      held = JSON.parse(stored.toString()) as { view: unknown };
      this.cache.set(key, held);
    }
    return held.view;
  }
}
