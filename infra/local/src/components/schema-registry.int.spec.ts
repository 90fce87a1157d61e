import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { jvmArgs } from '../jvm';
import { findJava } from '../java';
import { waitUntilHealthy } from '../health';
import { findRepoRoot, stackPaths } from '../paths';
import { isAlive, spawnDetached, terminate } from '../processes';
import { defaultEndpoints, infraUp } from '../index';
import { APICURIO_MIN_JAVA, registryJar, registryReady, registrySystemProperties } from './schema-registry';

jest.setTimeout(600_000);

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

const orderSchema = (extraField?: object): string =>
  JSON.stringify({
    type: 'record',
    name: 'OrderPlaced',
    namespace: `verity.test.n${randomUUID().replace(/-/g, '')}`,
    fields: [{ name: 'orderId', type: 'string' }, ...(extraField ? [extraField] : [])],
  });

describe('schema registry (Apicurio, Confluent API)', () => {
  beforeAll(async () => {
    await infraUp({ onProgress: () => undefined });
  });

  it('registers an Avro schema with BACKWARD_TRANSITIVE and gives the same schema the same id', async () => {
    const registry = new SchemaRegistry({ host: defaultEndpoints.schemaRegistryUrl });
    const subject = `verity-test-${randomUUID()}-value`;
    const schema = orderSchema();
    const opts = { subject, compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE };

    const first = await registry.register({ type: SchemaType.AVRO, schema }, opts);
    const second = await registry.register({ type: SchemaType.AVRO, schema }, opts);

    expect(second.id).toBe(first.id);
    expect(await registry.getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema })).toBe(first.id);
    const encoded = await registry.encode(first.id, { orderId: 'o-1' });
    expect(await registry.decode(encoded)).toEqual({ orderId: 'o-1' });
  });

  it('rejects a change that breaks BACKWARD_TRANSITIVE', async () => {
    const registry = new SchemaRegistry({ host: defaultEndpoints.schemaRegistryUrl });
    const subject = `verity-test-${randomUUID()}-value`;
    const opts = { subject, compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE };
    const v1 = JSON.parse(orderSchema()) as { fields: object[] };
    await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(v1) }, opts);

    const withDefault = { ...v1, fields: [...v1.fields, { name: 'note', type: 'string', default: '' }] };
    await expect(
      registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(withDefault) }, opts),
    ).resolves.toBeDefined();
    // A new field without a default cannot read the older records.
    const withoutDefault = { ...v1, fields: [...v1.fields, { name: 'qty', type: 'int' }] };
    await expect(
      registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(withoutDefault) }, opts),
    ).rejects.toThrow();
  });

  /*
   * Persistence without restarting the shared registry (other suites use it): a second,
   * fresh registry process on other ports, on the same PostgreSQL storage, must know the
   * schema under the same id. An in-memory store could not pass this.
   */
  it('keeps schema ids in storage that a fresh registry process reads back', async () => {
    const registry = new SchemaRegistry({ host: defaultEndpoints.schemaRegistryUrl });
    const subject = `verity-test-${randomUUID()}-value`;
    const schema = orderSchema();
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema },
      { subject, compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE },
    );

    const paths = stackPaths(findRepoRoot());
    const listen = { httpPort: await freePort(), managementPort: await freePort() };
    const pid = spawnDetached({
      command: findJava(APICURIO_MIN_JAVA),
      args: jvmArgs({
        maxHeap: '384m',
        systemProperties: registrySystemProperties(listen),
        main: { jar: registryJar(paths) },
      }),
      logFile: `${paths.logs}/schema-registry-second-instance.log`,
    });
    try {
      const ready = await waitUntilHealthy(() => registryReady(listen.managementPort), {
        timeoutMs: 180_000,
        stillAlive: () => isAlive(pid),
      });
      expect(ready).toEqual({ ok: true });
      const fresh = new SchemaRegistry({ host: `http://127.0.0.1:${listen.httpPort}/apis/ccompat/v7` });
      expect(await fresh.getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema })).toBe(id);
      expect(await fresh.getSchema(id)).toBeDefined();
    } finally {
      await terminate(pid, 10_000);
    }
  });
});
