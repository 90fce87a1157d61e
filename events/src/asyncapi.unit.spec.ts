import avro from 'avsc';
import { chain, toHeaders, type EventMetadata } from '@verity/core';
import { AVRO_SCHEMA_FORMAT, buildAsyncApi, type AsyncApiContext } from './asyncapi';
import { SchemaCatalog } from './schema-catalog';

type Json = Record<string, unknown>;
interface HeaderSchema {
  required: string[];
  properties: Record<string, { const?: string; pattern?: string }>;
}
interface Message {
  name: string;
  headers: HeaderSchema;
  payload: { schemaFormat: string; schema: Json };
  bindings: { kafka: Json };
}
interface Channel {
  address: string;
  messages: Record<string, { $ref: string }>;
  bindings: { kafka: Json };
}
interface Doc {
  asyncapi: string;
  servers?: Record<string, Json>;
  channels: Record<string, Channel>;
  operations: Record<string, { action: string; channel: { $ref: string }; messages: { $ref: string }[] }>;
  components: { messages: Record<string, Message> };
}

const catalog = SchemaCatalog.load();
/** Every context of the schemas folder with every event it has a schema of: the whole catalogue. */
const contexts: AsyncApiContext[] = [...new Set(catalog.fullNames().map((n) => n.split('.')[1]!))].map((name) => ({
  name,
  events: catalog.fullNames().flatMap((n) => (n.startsWith(`verity.${name}.`) ? [n.split('.')[2]!] : [])),
}));
const build = (options: Partial<Parameters<typeof buildAsyncApi>[0]> = {}): Doc =>
  buildAsyncApi({ catalog, contexts, prefix: 'acme-prod', partitions: 6, ...options }) as unknown as Doc;

/** The object a local `$ref` (`#/a/b`) points at, or undefined. */
const resolve = (doc: unknown, ref: string): unknown =>
  ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);

function refsOf(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(refsOf);
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string' ? [value] : refsOf(value),
  );
}

/** The problems of a record's headers against a message's header schema (required, no others, const, pattern). */
function headerProblems(schema: HeaderSchema, headers: Record<string, unknown>): string[] {
  const problems = schema.required.filter((h) => !(h in headers)).map((h) => `${h} missing`);
  for (const [name, value] of Object.entries(headers)) {
    const property = schema.properties[name];
    if (!property) problems.push(`${name} not documented`);
    else if (property.const !== undefined && value !== property.const) problems.push(`${name}: ${String(value)}`);
    else if (property.pattern && !new RegExp(property.pattern).test(String(value)))
      problems.push(`${name}: ${String(value)} !~ ${property.pattern}`);
  }
  return problems;
}

const metadata = (schemaVersion: number, extra: Partial<EventMetadata> = {}): EventMetadata => ({
  id: 'cmd-1:0',
  type: 'verity.catalog.ProductUpdated',
  source: '/verity/catalog',
  time: '2026-12-03T08:00:00.000Z',
  subject: 'acme/SKU-1',
  streamVersion: 2,
  schemaVersion,
  tenant: 'acme',
  actor: 'key-1',
  correlationId: 'corr-1',
  causationId: 'cmd-1',
  sourceSystem: 'api',
  sourceTimestamp: '2026-12-03T08:00:00.000Z',
  ...extra,
});

describe('AsyncAPI document of the events topics', () => {
  const doc = build();

  it('has one channel per context, at its events topic, kept forever as the topic catalogue creates it', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    expect(Object.values(doc.channels).map((c) => c.address)).toEqual(
      contexts.map((c) => `acme-prod.${c.name}.events`).sort(),
    );
    for (const channel of Object.values(doc.channels)) {
      expect(channel.bindings.kafka).toMatchObject({
        topic: channel.address,
        partitions: 6,
        topicConfiguration: { 'cleanup.policy': ['delete'], 'retention.ms': -1, 'retention.bytes': -1 },
      });
    }
  });

  it('has a message for every version of every event, with its .avsc as the Avro payload', () => {
    const expected = catalog.fullNames().flatMap((n) => catalog.versions(n).map((v) => `${n} v${v.version}`));
    const messages = Object.values(doc.components.messages);
    expect(messages.map((m) => `${m.name} v${m.headers.properties.ce_schemaversion!.const}`).sort()).toEqual(
      expected.sort(),
    );
    for (const message of messages) {
      const version = catalog
        .versions(message.name)
        .find((v) => String(v.version) === message.headers.properties.ce_schemaversion!.const)!;
      expect(message.payload).toEqual({ schemaFormat: AVRO_SCHEMA_FORMAT, schema: version.raw });
      // What a consumer compiles: the same Avro type the processor writes with.
      expect(avro.Type.forSchema(message.payload.schema as avro.Schema).equals(version.type)).toBe(true);
    }
  });

  it('puts each message on its own context channel, and the operation sends exactly those', () => {
    for (const [id, channel] of Object.entries(doc.channels)) {
      const context = channel.address.split('.')[1]!;
      const names = Object.values(channel.messages).map((m) => (resolve(doc, m.$ref) as Message).name);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect(name.startsWith(`verity.${context}.`)).toBe(true);
      const operation = Object.values(doc.operations).find((o) => o.channel.$ref === `#/channels/${id}`)!;
      expect(operation.action).toBe('send');
      // An operation's messages are references into its channel's messages (AsyncAPI 3 requires it).
      expect(operation.messages.map((m) => resolve(doc, m.$ref))).toEqual(Object.values(channel.messages));
      expect(operation.messages.every((m) => m.$ref.startsWith(`#/channels/${id}/messages/`))).toBe(true);
    }
  });

  it('documents exactly the headers a written event carries, with and without ce_onbehalfof', () => {
    const message = doc.components.messages['catalog.ProductUpdated.v2']!;
    const value = Buffer.from([0, 0, 0, 0, 7, 2]);
    const plain = toHeaders(chain('', metadata(2), value));
    const acting = toHeaders(chain('a'.repeat(64), metadata(2, { onBehalfOf: 'erp:jdoe' }), value));
    expect(headerProblems(message.headers, plain)).toEqual([]);
    expect(headerProblems(message.headers, acting)).toEqual([]);
    // The fixed type and schema version tell one message from another.
    expect(headerProblems(message.headers, toHeaders(chain('', metadata(1), value)))).toEqual(['ce_schemaversion: 1']);
    expect(headerProblems(message.headers, { ...plain, ce_extra: 'x' })).toEqual(['ce_extra not documented']);
    const { ce_id: _id, ...withoutId } = plain;
    expect(headerProblems(message.headers, withoutId)).toEqual(['ce_id missing']);
  });

  it('keys every message by stream id and describes the Confluent wire format', () => {
    const key = doc.components.messages['inventory.StockReceived.v1']!.bindings.kafka.key as { pattern: string };
    expect('acme/SKU-1').toMatch(new RegExp(key.pattern));
    expect('acme/with/slashes').toMatch(new RegExp(key.pattern));
    expect('SKU-1').not.toMatch(new RegExp(key.pattern));
    expect('Acme/SKU-1').not.toMatch(new RegExp(key.pattern));
    for (const message of Object.values(doc.components.messages)) {
      expect(message.bindings.kafka).toEqual({
        key,
        schemaIdLocation: 'payload',
        schemaIdPayloadEncoding: 'confluent',
        schemaLookupStrategy: 'TopicRecordNameStrategy',
        bindingVersion: '0.5.0',
      });
    }
    expect(JSON.stringify(doc.components.messages['inventory.StockReceived.v1'])).toContain(
      'Registered under subject `acme-prod.inventory.events-verity.inventory.StockReceived`',
    );
  });

  it('resolves every $ref, and names components as AsyncAPI allows', () => {
    const refs = refsOf(doc);
    expect(refs.length).toBeGreaterThan(Object.keys(doc.components.messages).length);
    expect(refs.filter((r) => !r.startsWith('#/') || resolve(doc, r) === undefined)).toEqual([]);
    for (const kind of Object.values(doc.components))
      for (const id of Object.keys(kind)) expect(id).toMatch(/^[a-zA-Z0-9.\-_]+$/);
  });

  it('names the brokers and the registry, without the credentials in its URL, only when given', () => {
    expect(doc.servers).toBeUndefined();
    const served = build({ brokers: ['k1:9092', 'k2:9092'], schemaRegistryUrl: 'https://u:secret@registry:8081/api' });
    expect(served.servers).toEqual({
      kafka: expect.objectContaining({
        host: 'k1:9092,k2:9092',
        protocol: 'kafka',
        bindings: {
          kafka: {
            schemaRegistryUrl: 'https://registry:8081/api',
            schemaRegistryVendor: 'confluent',
            bindingVersion: '0.5.0',
          },
        },
      }),
    });
  });

  it('is a pure function of its inputs', () => {
    expect(build()).toEqual(doc);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('refuses a context event without a schema', () => {
    expect(() => build({ contexts: [{ name: 'inventory', events: ['StockVanished'] }] })).toThrow(
      /no schema named verity.inventory.StockVanished/,
    );
  });
});
