import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { CompactedTable } from '../compacted-table';
import type { ContextDefinition, ReferenceDefinition } from '@verity/core';
import { streamIdOf } from '@verity/core';
import type { ContextTopics } from '../topics';
import type { StreamSnapshot } from './stream-snapshot';

interface View {
  sequence: number;
  view: unknown;
}

interface Reference {
  name: string;
  definition: ReferenceDefinition;
  table: CompactedTable<View>;
}

/**
 * The references of one context (see `ReferenceDefinition`): a table of views per reference,
 * read from the referenced context's state topic, which holds the snapshot its processor
 * committed with the events. Catching up before a decision means a command sent after another
 * context acknowledged a change is decided on that change.
 */
export class ReferenceTables {
  private readonly references: Reference[];

  constructor(options: {
    kafka: Kafka;
    admin: Admin;
    context: ContextDefinition;
    topicsOf: (context: string) => ContextTopics;
    groupId: string;
  }) {
    const { kafka, admin, context, topicsOf, groupId } = options;
    this.references = Object.entries(context.references ?? {}).map(([name, definition]) => ({
      name,
      definition,
      table: new CompactedTable<View>({
        kafka,
        admin,
        topic: topicsOf(definition.context).state,
        groupId: `${groupId}.reference.${name}.${randomUUID()}`,
        decode: (value) => {
          const snapshot = JSON.parse(value.toString('utf8')) as StreamSnapshot;
          return { sequence: snapshot.sequence, view: definition.view(snapshot.state) };
        },
        supersedes: (next, current) => next.sequence > current.sequence,
      }),
    }));
  }

  async start(): Promise<void> {
    for (const { table } of this.references) await table.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.references.map(({ table }) => table.stop()));
  }

  /** Waits until every table the given commands use holds what was committed up to now. */
  async catchUpFor(commandNames: Iterable<string>): Promise<void> {
    const names = new Set(commandNames);
    await Promise.all(
      this.references.filter((r) => r.definition.commands.some((c) => names.has(c))).map((r) => r.table.catchUp()),
    );
  }

  /** The views a command is handed, by reference name; null where the referenced stream does not exist. */
  lookup(commandName: string, tenant: string, payload: Record<string, unknown>): Record<string, unknown> | undefined {
    const used = this.references.filter((r) => r.definition.commands.includes(commandName));
    if (used.length === 0) return undefined;
    return Object.fromEntries(
      used.map(({ name, definition, table }) => [
        name,
        table.get(streamIdOf(tenant, definition.aggregateId(payload)))?.view ?? null,
      ]),
    );
  }
}
