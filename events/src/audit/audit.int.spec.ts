import { randomUUID } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { AvroSerde } from '../avro-serde';
import { toHeaders, type ChainedEventMetadata, chain } from '@verity/core';
import { SchemaCatalog } from '../schema-catalog';
import { contextTopics } from '../topics';
import { streamPartition } from './stream-partition';
import { auditHistory, auditVerify } from './stream-audit';
import { UnknownTopicError, readStream, type ReadProgress } from './stream-reader';

const STOCK_RECEIVED = 'verity.inventory.StockReceived';
const PARTITIONS = 3;

describe('audit against the real Kafka and schema registry', () => {
  const prefix = `t${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const topic = contextTopics('inventory', prefix).events;
  const kafka = new Kafka({
    brokers: (process.env.VERITY_KAFKA_BROKERS ?? 'localhost:9092').split(','),
    clientId: `test-${prefix}`,
    logLevel: logLevel.NOTHING,
  });
  const serde = new AvroSerde(
    new SchemaRegistry({ host: process.env.VERITY_SCHEMA_REGISTRY_URL ?? 'http://localhost:8081/apis/ccompat/v7' }),
    SchemaCatalog.load(),
  );
  let admin: Admin;
  let producer: Producer;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
    await serde.register(topic, [STOCK_RECEIVED]);
    // Transactional, as the command processor writes: every partition ends in commit markers.
    producer = kafka.producer({ transactionalId: `${prefix}.writer`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: [topic] });
    await admin?.disconnect();
  });

  /** A StockReceived of `streamId` chained to `prevHash`, as the processor builds it. */
  function stockReceived(
    streamId: string,
    version: number,
    prevHash: string,
    quantity: number,
    onBehalfOf?: string,
  ): { metadata: ChainedEventMetadata; value: Buffer } {
    const [tenant, sku] = streamId.split('/') as [string, string];
    const { value, schemaVersion } = serde.encode(topic, STOCK_RECEIVED, { sku, location: 'berlin', quantity });
    const commandId = `cmd-${sku}-${version}`;
    const metadata = chain(
      prevHash,
      {
        id: `${commandId}:0`,
        type: STOCK_RECEIVED,
        source: '/verity/inventory',
        time: `2026-11-23T10:00:0${version}.000Z`,
        subject: streamId,
        streamVersion: version,
        schemaVersion,
        tenant,
        actor: 'alice',
        ...(onBehalfOf === undefined ? {} : { onBehalfOf }),
        correlationId: `corr-${sku}`,
        causationId: commandId,
        sourceSystem: 'netsuite',
        sourceTimestamp: `2026-11-23T09:59:0${version}.000Z`,
      },
      value,
    );
    return { metadata, value };
  }

  /** Appends one record in its own transaction, placed by the default partitioner; returns where it went. */
  async function append(
    record: { metadata: ChainedEventMetadata; value: Buffer },
    outcome: 'commit' | 'abort' = 'commit',
  ): Promise<{ partition: number; offset: string }> {
    const transaction = await producer.transaction();
    const [sent] = await transaction.send({
      topic,
      messages: [{ key: record.metadata.subject, value: record.value, headers: toHeaders(record.metadata) }],
    });
    await (outcome === 'commit' ? transaction.commit() : transaction.abort());
    return { partition: sent!.partition, offset: sent!.baseOffset! };
  }

  /** A stream id of `tenant` whose records share a partition with `streamId`, so the two interleave. */
  function neighbourOf(streamId: string): string {
    const target = streamPartition(streamId, PARTITIONS);
    for (let i = 0; ; i++)
      if (streamPartition(`acme/NEIGHBOUR-${i}`, PARTITIONS) === target) return `acme/NEIGHBOUR-${i}`;
  }

  const stream = 'acme/SKU-A';
  /** Version 2 of the stream was sent by alice for an ERP user: its chain covers the extra header. */
  const onBehalfOfAt = (version: number) => (version === 2 ? 'erp:jdoe' : undefined);
  const written: { metadata: ChainedEventMetadata; value: Buffer; partition: number; offset: string }[] = [];

  it('reads a stream interleaved with another from the partition the producer chose, and verifies it', async () => {
    const neighbour = neighbourOf(stream);
    let neighbourHash = '';
    for (const version of [1, 2, 3]) {
      const event = stockReceived(
        stream,
        version,
        written.at(-1)?.metadata.hash ?? '',
        version * 10,
        onBehalfOfAt(version),
      );
      written.push({ ...event, ...(await append(event)) });
      const other = stockReceived(neighbour, version, neighbourHash, 1);
      neighbourHash = other.metadata.hash;
      await append(other);
    }
    // An aborted forgery is in the log but never committed: read_committed must not see it.
    await append(stockReceived(stream, 4, 'f'.repeat(64), 666), 'abort');

    const progress: ReadProgress[] = [];
    const { events, report } = await auditVerify({
      kafka,
      topic,
      streamId: stream,
      progressEvery: 2,
      onProgress: (p) => progress.push(p),
    });

    expect(report).toEqual({ ok: true, events: 3, lastVersion: 3, lastHash: written[2]!.metadata.hash });
    expect(events.map((e) => ({ partition: e.partition, offset: e.offset }))).toEqual(
      written.map((w) => ({ partition: w.partition, offset: w.offset })),
    );
    expect(events[0]!.partition).toBe(streamPartition(stream, PARTITIONS));
    expect(progress.map((p) => p.scanned)).toEqual([2, 4, 6]);
    expect(progress.at(-1)).toMatchObject({ matched: 3, partition: written[0]!.partition });
    // The throwaway consumer group is gone.
    expect((await admin.listGroups()).groups.filter((g) => g.groupId.startsWith(`${topic}.audit.`))).toEqual([]);
  });

  it('lists the history with who (and for whom), when, where from, why and the decoded payload', async () => {
    const rows = await auditHistory({ kafka, topic, streamId: stream, serde });
    expect(Object.keys(rows[0]!)).not.toContain('onBehalfOf');
    expect(rows).toEqual(
      [1, 2, 3].map((version) => ({
        version,
        offset: written[version - 1]!.offset,
        time: `2026-11-23T10:00:0${version}.000Z`,
        type: STOCK_RECEIVED,
        actor: 'alice',
        ...(version === 2 ? { onBehalfOf: 'erp:jdoe' } : {}),
        sourceSystem: 'netsuite',
        sourceTimestamp: `2026-11-23T09:59:0${version}.000Z`,
        correlationId: 'corr-SKU-A',
        causationId: `cmd-SKU-A-${version}`,
        payload: { sku: 'SKU-A', location: 'berlin', quantity: version * 10 },
        hash: written[version - 1]!.metadata.hash,
        prevHash: version === 1 ? '' : written[version - 2]!.metadata.hash,
      })),
    );
  });

  it('detects a forged copy of an event appended later', async () => {
    const original = written[1]!;
    const forged = {
      metadata: original.metadata,
      value: serde.encode(topic, STOCK_RECEIVED, { sku: 'SKU-A', location: 'berlin', quantity: 9999 }).value,
    };
    const { offset } = await append(forged);

    const { report } = await auditVerify({ kafka, topic, streamId: stream });
    expect(report).toEqual({
      ok: false,
      events: 4,
      firstBreak: {
        kind: 'hash_mismatch',
        position: 3,
        version: 2,
        offset,
        expected: expect.stringMatching(/^[0-9a-f]{64}$/),
        actual: original.metadata.hash,
      },
    });
  });

  it('detects an event whose ce_onbehalfof header names someone else', async () => {
    const relabelled = 'acme/SKU-ACT-AS';
    const event = stockReceived(relabelled, 1, '', 1, 'erp:jdoe');
    const transaction = await producer.transaction();
    const [sent] = await transaction.send({
      topic,
      messages: [
        {
          key: relabelled,
          value: event.value,
          headers: { ...toHeaders(event.metadata), ce_onbehalfof: 'erp:mallory' },
        },
      ],
    });
    await transaction.commit();

    const { events, report } = await auditVerify({ kafka, topic, streamId: relabelled });
    expect(events[0]!.metadata.onBehalfOf).toBe('erp:mallory');
    expect(report).toEqual({
      ok: false,
      events: 1,
      firstBreak: {
        kind: 'hash_mismatch',
        position: 0,
        version: 1,
        offset: sent!.baseOffset,
        expected: expect.stringMatching(/^[0-9a-f]{64}$/),
        actual: event.metadata.hash,
      },
    });
  });

  it('detects a missing event', async () => {
    const gapped = 'acme/SKU-GAP';
    const first = stockReceived(gapped, 1, '', 1);
    const second = stockReceived(gapped, 2, first.metadata.hash, 2);
    const third = stockReceived(gapped, 3, second.metadata.hash, 3);
    await append(first);
    const { offset } = await append(third);

    const { report } = await auditVerify({ kafka, topic, streamId: gapped });
    expect(report).toEqual({
      ok: false,
      events: 2,
      firstBreak: { kind: 'version_gap', position: 1, version: 3, offset, expected: '2', actual: '3' },
    });
  });

  it('reads nothing for a stream without events, and names a missing topic', async () => {
    expect(await readStream({ kafka, topic, streamId: 'acme/NOBODY' })).toEqual([]);
    await expect(readStream({ kafka, topic: `${prefix}.nowhere.events`, streamId: stream })).rejects.toThrow(
      UnknownTopicError,
    );
  });
});
