import type { Kafka } from 'kafkajs';
import type { DependencyCheck } from './http-app';

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref()),
  ]);

/** Kafka is reachable: the cluster answers a metadata call. */
export async function checkKafka(kafka: Kafka, timeoutMs = 2000): Promise<DependencyCheck> {
  const admin = kafka.admin();
  try {
    await withTimeout(
      admin.connect().then(() => admin.describeCluster()),
      timeoutMs,
    );
    return { name: 'kafka', status: 'up' };
  } catch (error) {
    return { name: 'kafka', status: 'down', detail: (error as Error).message };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The schema registry answers its Confluent API. */
export async function checkSchemaRegistry(baseUrl: string, timeoutMs = 2000): Promise<DependencyCheck> {
  try {
    const res = await fetch(`${baseUrl.replace(/\/$/, '')}/subjects`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok
      ? { name: 'schema-registry', status: 'up' }
      : { name: 'schema-registry', status: 'down', detail: `HTTP ${res.status}` };
  } catch (error) {
    return { name: 'schema-registry', status: 'down', detail: (error as Error).message };
  }
}

/** Runs one probe, mapping a throw or a timeout to `down` (or `degraded` for optional dependencies). */
export async function probe(
  name: string,
  run: () => Promise<unknown>,
  options: { optional?: boolean; timeoutMs?: number } = {},
): Promise<DependencyCheck> {
  try {
    await withTimeout(run(), options.timeoutMs ?? 2000);
    return { name, status: 'up' };
  } catch (error) {
    return { name, status: options.optional ? 'degraded' : 'down', detail: (error as Error).message };
  }
}
