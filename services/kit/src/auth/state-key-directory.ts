import type { Admin } from 'kafkajs';
import { PartitionReader, fetchTopicOffsets, parseSnapshot, type KafkaSecurity, type ReadRecord } from '@verity/events';
import type { ApiKeyRecord, KeyDirectory } from './key-directory';

export interface StateKeyDirectoryOptions<R extends ApiKeyRecord> {
  brokers: readonly string[];
  /** Tells how many partitions the topic has. */
  admin: Admin;
  /** The access context's state topic, `contextTopics('access', prefix).state`; it must exist. */
  topic: string;
  /** Names this instance's reader. */
  clientId: string;
  /** TLS and SASL settings of the cluster, when it needs them. */
  security?: KafkaSecurity;
  /** The keys of one key family's snapshot: `apiKeysOf` of `@verity/domain`. */
  keysOf(streamId: string, state: unknown): R[];
}

/**
 * Every API key, read from the access context's compacted state topic (one snapshot per key
 * family) into memory: every partition from the start, then each change as the processor
 * commits it, so a key revoked anywhere is refused here within a fraction of a second. Keys are
 * few and their count does not grow with the commands sent, so memory holds them all.
 */
export class StateKeyDirectory<R extends ApiKeyRecord = ApiKeyRecord> implements KeyDirectory {
  private readonly keys = new Map<string, R>();
  /** Per family stream: the newest snapshot's sequence and the ids of its keys. */
  private readonly families = new Map<string, { sequence: number; keyIds: string[] }>();
  private readonly reader: PartitionReader;
  private ready = false;

  constructor(private readonly options: StateKeyDirectoryOptions<R>) {
    this.reader = new PartitionReader({
      brokers: options.brokers,
      // A change's reply can arrive before its commit marker reaches the state topic: wait for the change itself.
      end: 'high',
      topic: options.topic,
      clientId: options.clientId,
      ...(options.security ? { security: options.security } : {}),
      apply: async (records) => this.apply(records),
    });
  }

  /** Reads every partition from the start; resolves once everything written before is held. */
  async start(): Promise<void> {
    const offsets = await fetchTopicOffsets(this.options.admin, this.options.topic);
    await this.reader.start(new Map(offsets.map(({ partition }): [number, bigint] => [partition, 0n])));
    await this.reader.catchUp();
    this.ready = true;
  }

  async stop(): Promise<void> {
    this.ready = false;
    await this.reader.stop();
  }

  isReady(): boolean {
    return this.ready;
  }

  lookup(keyId: string): R | undefined {
    return this.keys.get(keyId);
  }

  /** Every key, in no particular order. */
  list(): R[] {
    return [...this.keys.values()];
  }

  /** Waits until everything committed to the topic up to now is held (a tool that wrote a change reads it back). */
  catchUp(timeoutMs?: number): Promise<void> {
    return this.reader.catchUp(undefined, timeoutMs);
  }

  private apply(records: ReadRecord[]): void {
    for (const record of records) {
      const snapshot = parseSnapshot(record.value);
      const held = this.families.get(record.key);
      // The log's order already gives the newest; the sequence guards against a rewritten topic replaying older snapshots.
      if (held && held.sequence > snapshot.sequence) continue;
      const next = this.options.keysOf(snapshot.streamId, snapshot.state);
      const nextIds = new Set(next.map((k) => k.keyId));
      for (const keyId of held?.keyIds ?? []) if (!nextIds.has(keyId)) this.keys.delete(keyId);
      for (const key of next) {
        // A key that did not change keeps its object: a cache of verified keys tells a change by identity.
        const current = this.keys.get(key.keyId);
        if (!current || JSON.stringify(current) !== JSON.stringify(key)) this.keys.set(key.keyId, key);
      }
      this.families.set(record.key, { sequence: snapshot.sequence, keyIds: [...nextIds] });
    }
  }
}
