import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { randomUUID } from 'node:crypto';
import { AvroSerde } from './avro-serde';
import { SchemaCatalog } from './schema-catalog';
import { record, schemaVersion } from './testing/in-memory-schemas';
import type { Upcaster } from './upcasters';

const registryUrl = process.env.VERITY_SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
const fullName = 'verity.upcasttest.ThingHappened';

// v2 splits v1's "site/dock" location in two: registry-compatible (new fields have defaults,
// the dropped one is skipped), but only the upcaster knows how to fill the new fields.
const v1 = schemaVersion(
  1,
  record(
    'ThingHappened',
    [
      { name: 'location', type: 'string' },
      { name: 'quantity', type: 'int' },
    ],
    'upcasttest',
  ),
);
const v2 = schemaVersion(
  2,
  record(
    'ThingHappened',
    [
      { name: 'site', type: 'string', default: '' },
      { name: 'dock', type: 'string', default: '' },
      { name: 'quantity', type: 'long' },
    ],
    'upcasttest',
  ),
);
const splitLocation: Upcaster = {
  fullName,
  fromVersion: 1,
  upcast: ({ location, quantity }) => {
    const [site, dock = ''] = String(location).split('/');
    return { site, dock, quantity };
  },
};

describe('AvroSerde with the schema registry and upcasters', () => {
  const registry = new SchemaRegistry({ host: registryUrl });
  // A topic name of its own per test, so runs never collide.
  const newTopic = (): string => `t${randomUUID().replace(/-/g, '')}.upcasttest.events`;

  it('decodes a record written with v1 into the v2 shape through the upcaster', async () => {
    const topic = newTopic();
    const oldWriter = new AvroSerde(registry, new SchemaCatalog([v1]));
    await oldWriter.register(topic, [fullName]);
    const written = oldWriter.encode(topic, fullName, { location: 'berlin/dock-2', quantity: 5 });
    expect(written.schemaVersion).toBe(1);

    const reader = new AvroSerde(registry, new SchemaCatalog([v1, v2]), [splitLocation]);
    await reader.register(topic, [fullName]);

    expect(await reader.decode(written.value, { topic })).toEqual({
      schemaId: written.schemaId,
      fullName,
      writerVersion: 1,
      value: { site: 'berlin', dock: 'dock-2', quantity: 5 },
    });

    const current = reader.encode(topic, fullName, { site: 'paris', dock: 'a', quantity: 1 });
    expect(await reader.decode(current.value, { topic })).toMatchObject({
      writerVersion: 2,
      value: { site: 'paris', dock: 'a', quantity: 1 },
    });
  });

  it('without upcasters, Avro resolution alone fills the new fields from their defaults', async () => {
    const topic = newTopic();
    const oldWriter = new AvroSerde(registry, new SchemaCatalog([v1]));
    await oldWriter.register(topic, [fullName]);
    const written = oldWriter.encode(topic, fullName, { location: 'berlin/dock-2', quantity: 5 });

    const reader = new AvroSerde(registry, new SchemaCatalog([v1, v2]));
    expect(await reader.decode(written.value)).toMatchObject({
      writerVersion: 1,
      value: { site: '', dock: '', quantity: 5 },
    });
  });
});
