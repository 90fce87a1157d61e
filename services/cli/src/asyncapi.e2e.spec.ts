import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KafkaMessage } from 'kafkajs';
import { contextTopics } from '@verity/events';
import { parseEnv, platformEnvSchema } from '@verity/service-kit';
import { postCommand, startTestPlatform, type TestPlatform } from './testing/test-platform';

const MAIN = join(__dirname, '..', 'dist', 'main.js');

interface Message {
  name: string;
  headers: { required: string[]; properties: Record<string, { const?: string; pattern?: string }> };
  payload: { schemaFormat: string; schema: unknown };
  bindings: { kafka: { key: { pattern: string } } };
}
interface Doc {
  channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
  components: { messages: Record<string, Message> };
}

/** The payload schemas of each channel's messages, by the subject the processor registers them under. */
function documentedSubjects(doc: Doc): Map<string, unknown[]> {
  const subjects = new Map<string, unknown[]>();
  for (const channel of Object.values(doc.channels))
    for (const { $ref } of Object.values(channel.messages)) {
      const message = doc.components.messages[$ref.split('/').pop()!]!;
      const subject = `${channel.address}-${message.name}`;
      subjects.set(subject, [...(subjects.get(subject) ?? []), message.payload.schema]);
    }
  return subjects;
}

describe('the AsyncAPI document against a running platform', () => {
  let platform: TestPlatform;
  let registryUrl: string;
  let served: Doc;

  const registry = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${registryUrl}${path}`);
    if (!res.ok) throw new Error(`registry ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    platform = await startTestPlatform(['command-processor', 'gateway', 'query-api']);
    registryUrl = parseEnv(platformEnvSchema, platform.env).VERITY_SCHEMA_REGISTRY_URL;
    // No credential: the contract is open, as /openapi.json is.
    const res = await fetch(`${platform.urls['query-api']}/asyncapi.json`);
    expect(res.status).toBe(200);
    served = (await res.json()) as Doc;
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('names exactly the subjects and schema versions the processors registered for this prefix', async () => {
    const documented = documentedSubjects(served);
    const addresses = Object.values(served.channels).map((c) => c.address);
    expect(addresses.every((a) => a.startsWith(`${platform.prefix}.`))).toBe(true);
    // As the registry holds them, parsed: key order aside, the very .avsc each message carries.
    const registered = new Map<string, unknown[]>();
    for (const subject of await registry<string[]>('/subjects')) {
      if (!addresses.some((a) => subject.startsWith(`${a}-`))) continue;
      const versions = await registry<number[]>(`/subjects/${encodeURIComponent(subject)}/versions`);
      const schemas: unknown[] = [];
      for (const v of versions) {
        const { schema } = await registry<{ schema: string }>(`/subjects/${encodeURIComponent(subject)}/versions/${v}`);
        schemas.push(JSON.parse(schema));
      }
      registered.set(subject, schemas);
    }
    expect([...registered.keys()].sort()).toEqual([...documented.keys()].sort());
    for (const [subject, schemas] of documented)
      expect({ subject, schemas }).toEqual({ subject, schemas: registered.get(subject) });
  });

  it('describes the records on the topic: key, headers, magic byte and the schema id of the message', async () => {
    const res = await postCommand(
      platform,
      'inventory.ReceiveStock',
      { sku: 'SKU-ASYNCAPI', location: 'berlin', quantity: 4 },
      { 'X-Tenant-Id': 'acme' },
    );
    expect(res.status).toBe(200);
    const topic = contextTopics('inventory', platform.prefix).events;
    const [record] = await platform.readTopic(topic, (m: KafkaMessage[]) => m.length > 0);
    const headers = Object.fromEntries(Object.entries(record!.headers ?? {}).map(([k, v]) => [k, String(v)]));
    const channel = Object.values(served.channels).find((c) => c.address === topic)!;
    const message = Object.values(channel.messages)
      .map(({ $ref }) => served.components.messages[$ref.split('/').pop()!]!)
      .find(
        (m) =>
          m.headers.properties.ce_type!.const === headers.ce_type &&
          m.headers.properties.ce_schemaversion!.const === headers.ce_schemaversion,
      )!;
    expect(message.name).toBe('verity.inventory.StockReceived');

    expect(record!.key!.toString()).toMatch(new RegExp(message.bindings.kafka.key.pattern));
    expect(message.headers.required.filter((h) => !(h in headers))).toEqual([]);
    expect(Object.keys(headers).filter((h) => !(h in message.headers.properties))).toEqual([]);
    for (const [name, value] of Object.entries(headers)) {
      const { const: fixed, pattern } = message.headers.properties[name]!;
      if (fixed !== undefined) expect({ name, value }).toEqual({ name, value: fixed });
      if (pattern !== undefined) expect(value).toMatch(new RegExp(pattern));
    }

    // Confluent wire format: magic byte 0, the id of the documented schema, then its Avro body.
    const value = record!.value!;
    expect(value.readUInt8(0)).toBe(0);
    const writer = await registry<{ schema: string }>(`/schemas/ids/${value.readInt32BE(1)}`);
    expect(JSON.parse(writer.schema)).toEqual(message.payload.schema);
    // What the README's consumer does: the Confluent client decodes it.
    expect(await platform.registry.decode(value)).toMatchObject({
      sku: 'SKU-ASYNCAPI',
      location: 'berlin',
      quantity: 4,
    });
  });

  it('is what verity asyncapi prints for the same settings', async () => {
    const { stdout: printed } = await promisify(execFile)(process.execPath, [MAIN, 'asyncapi'], { env: platform.env });
    expect(JSON.parse(printed)).toEqual(served);
  });
});
