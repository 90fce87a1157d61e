import type { Admin } from 'kafkajs';
import type { SecretsKey } from '@verity/core';
import type { WebhookSecretView } from '@verity/domain';
import { PartitionReader, fetchTopicOffsets, parseSnapshot, type KafkaSecurity, type ReadRecord } from '@verity/events';
import { WebhookSecretTable } from './secret-table';
import type { OpenedSecret } from './signatures';

export interface WebhookSecretDirectoryOptions {
  brokers: readonly string[];
  admin: Admin;
  /** The access context's state topic, `contextTopics('access', prefix).state`; it must exist. */
  topic: string;
  clientId: string;
  security?: KafkaSecurity;
  /** Opens the sealed secrets; without it the directory lists them only (`verity webhooks secret list`). */
  kek?: SecretsKey;
  /** A secret that does not open under `kek` (sealed under another key): left out, and said here. */
  onUnsealable?(secret: WebhookSecretView, error: Error): void;
}

/**
 * Every webhook secret, read from the access context's compacted state topic into memory as the
 * API key directory reads keys: from the start, then each change as the processor commits it, so
 * a secret added or removed anywhere counts here within a fraction of a second. Secrets are
 * opened once, when read, and live only in this process's memory.
 */
export class WebhookSecretDirectory {
  private readonly table: WebhookSecretTable;
  private readonly reader: PartitionReader;
  private ready = false;

  constructor(private readonly options: WebhookSecretDirectoryOptions) {
    this.table = new WebhookSecretTable(options.kek, (secret, error) => options.onUnsealable?.(secret, error));
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

  catchUp(timeoutMs?: number): Promise<void> {
    return this.reader.catchUp(undefined, timeoutMs);
  }

  list(): WebhookSecretView[] {
    return this.table.list();
  }

  secretsFor(tenant: string, source: string, now = Date.now()): OpenedSecret[] {
    return this.table.secretsFor(tenant, source, now);
  }

  shopSecrets(shopDomain: string, now = Date.now()): OpenedSecret[] {
    return this.table.shopSecrets(shopDomain, now);
  }

  private apply(records: ReadRecord[]): void {
    for (const record of records) {
      const snapshot = parseSnapshot(record.value);
      this.table.apply(record.key, snapshot.sequence, snapshot.state);
    }
  }
}
