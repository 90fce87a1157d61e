import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { z } from 'zod';
import { standardWebhooksHeaders } from '@verity/connector-webhooks';
import { ensureTopics } from '@verity/events';
import { localStackConfig, tearDownOnInterrupt } from './bench/loopback';
import { countError, toLoadResult, type LoadResult, type MeasuredRun } from './bench/load-result';
import { startPlatformProcesses, type PlatformUnderTest } from './bench/platform';
import { measureRawProduce } from './bench/raw-produce';
import { cpuMeter } from './bench/process-cpu';
import { UsageError } from './errors';
import { openSandbox, type Sandbox } from './sandbox';
import { runWebhooks } from './webhooks-command';

const progress = (message: string): void => void process.stderr.write(`bench webhooks: ${message}\n`);

/** `verity webhooks bench [--duration s] [--warmup s] [--connections n] [--skus n]`. */
export const webhooksBenchOptionsSchema = z.strictObject({
  /** Measured seconds. */
  duration: z.coerce.number().int().min(1).max(600).default(10),
  /** Seconds of load before, not counted. */
  warmup: z.coerce.number().int().min(0).max(60).default(2),
  /** Deliveries in flight at once, one per keep-alive connection. */
  connections: z.coerce.number().int().min(1).max(1024).default(32),
  /** Distinct SKUs (streams) the deliveries cycle over. */
  skus: z.coerce.number().int().min(1).max(1_000_000).default(1000),
});
export type WebhooksBenchOptions = z.infer<typeof webhooksBenchOptionsSchema>;

export function parseWebhooksBenchOptions(args: readonly string[]): WebhooksBenchOptions {
  const given: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const match = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`webhooks bench: unexpected ${arg}`);
    const value = match[2] ?? args[++i];
    if (value === undefined) throw new UsageError(`--${match[1]} needs a value`);
    given[match[1]!] = value;
  }
  const parsed = webhooksBenchOptionsSchema.safeParse(given);
  if (!parsed.success)
    throw new UsageError(parsed.error.issues.map((i) => `--${i.path.join('.') || 'option'}: ${i.message}`).join('; '));
  return parsed.data;
}

/**
 * Signed NetSuite deliveries against one webhook-ingestor process, the command-processor in
 * another, on the local stack: each request a new delivery (its own id, a fresh Standard
 * Webhooks signature), counted when answered 202, i.e. verified, mapped and durable on the
 * commands topic. Everything it creates is removed at the end.
 */
export async function runWebhooksBench(
  args: readonly string[],
): Promise<LoadResult & { ingestorCpuUsPerDelivery?: number }> {
  const options = parseWebhooksBenchOptions(args);
  const config = localStackConfig();
  const sandbox: Sandbox = await openSandbox(config, { label: 'whb' });
  let platform: PlatformUnderTest | undefined;
  let teardown: Promise<void> | undefined;
  const tearDown = (): Promise<void> =>
    (teardown ??= (async () => {
      await platform?.stop();
      await sandbox.cleanup();
      progress(`removed the topics, groups and schema of ${sandbox.prefix}`);
    })());
  const stopWatchingInterrupt = tearDownOnInterrupt(tearDown, progress);
  try {
    platform = startPlatformProcesses(sandbox.env, ['command-processor', 'webhook-ingestor'], 1, progress);
    const urls = await platform.ready;
    const ingestor = urls['webhook-ingestor']![0]!;
    const out: string[] = [];
    const code = await runWebhooks(['secret', 'set', '--tenant', 'bench', '--source', 'netsuite'], {
      env: sandbox.env,
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: () => true },
    });
    const secret = out.join('').trimEnd().split('\n').at(-1)!;
    if (code !== 0 || !secret.startsWith('whsec_')) throw new Error('could not set the bench secret');
    const run = randomUUID().slice(0, 8);
    let seq = 0;
    const delivery = () => {
      const n = seq++;
      const body = JSON.stringify({
        event: 'inventory.updated',
        timestamp: new Date().toISOString(),
        data: { sku: `WH-${n % options.skus}`, quantity: n % 1000 },
      });
      return { body, headers: standardWebhooksHeaders(secret, `bench-${run}-${n}`, body) };
    };
    // The ingestor reads the secret from the access state topic: wait until it takes one.
    for (let tries = 0; ; tries++) {
      const { body, headers } = delivery();
      const res = await fetch(`${ingestor}/webhooks/netsuite/inventory-change?tenant=bench`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      if (res.status === 202) break;
      if (tries > 100) throw new Error(`the ingestor does not take the bench secret: ${res.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const drive = (durationS: number): Promise<MeasuredRun> =>
      new Promise((resolve, reject) => {
        const measured = {
          name: 'webhooks',
          operations: 0,
          requests: 0,
          durationS: 0,
          latenciesMs: [] as number[],
          errorsByCause: {} as Record<string, number>,
        };
        const start = process.hrtime.bigint();
        const instance = autocannon(
          {
            url: `${ingestor}/webhooks/netsuite/inventory-change?tenant=bench`,
            method: 'POST',
            connections: options.connections,
            pipelining: 1,
            duration: durationS,
            timeout: 30,
            requests: [
              {
                setupRequest: (request) => {
                  const { body, headers } = delivery();
                  return { ...request, headers: { 'content-type': 'application/json', ...headers }, body };
                },
              },
            ],
          },
          (error) => {
            measured.durationS = Number(process.hrtime.bigint() - start) / 1e9;
            if (error) reject(error);
            else resolve(measured);
          },
        );
        instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
          measured.requests++;
          if (statusCode === 202) {
            measured.operations++;
            measured.latenciesMs.push(responseTimeMs);
          } else countError(measured.errorsByCause, `status ${statusCode}`);
        });
        instance.on('reqError', (error: Error & { code?: string }) => {
          measured.requests++;
          countError(measured.errorsByCause, error.code ?? error.name);
        });
      });
    progress(`warming up ${options.warmup} s, then ${options.duration} s at ${options.connections} connections`);
    if (options.warmup > 0) await drive(options.warmup);
    const cpu = cpuMeter(platform.pids()['webhook-ingestor']?.[0]);
    const result = toLoadResult(await drive(options.duration));
    const ingestorCpuUsPerDelivery = cpu.perRequestUs(result.requests);
    // The limit on this machine at this moment: acks=all produce of one record per send, as many in flight.
    const rawTopic = `${sandbox.prefix}.bench.raw-produce`;
    await ensureTopics(
      sandbox.admin,
      [{ topic: rawTopic, numPartitions: config.VERITY_PARTITIONS }],
      config.VERITY_REPLICATION_FACTOR,
    );
    progress(`kafka produce, 1 record per send, for reference: ${options.warmup} s warm-up + ${options.duration} s`);
    const limit = await measureRawProduce({
      kafka: sandbox.kafka,
      name: 'kafka produce, 1 record/send',
      topic: rawTopic,
      connections: options.connections,
      recordsPerSend: 1,
      skus: options.skus,
      warmupS: options.warmup,
      durationS: options.duration,
    });
    const line =
      `verified webhooks: ${result.throughputPerS.toFixed(0)}/s (${result.operations} in ${result.durationS.toFixed(1)} s), ` +
      `latency p50 ${result.latencyMs.p50.toFixed(1)} ms p99 ${result.latencyMs.p99.toFixed(1)} ms, errors ${result.errors}` +
      (ingestorCpuUsPerDelivery === undefined
        ? ''
        : `, ingestor CPU ${ingestorCpuUsPerDelivery.toFixed(0)} µs/delivery`) +
      `\nkafka produce (the limit, same in-flight count): ${limit.throughputPerS.toFixed(0)}/s, ` +
      `p50 ${limit.latencyMs.p50.toFixed(1)} ms p99 ${limit.latencyMs.p99.toFixed(1)} ms`;
    process.stdout.write(`${line}\n${JSON.stringify({ webhooks: { ...result, ingestorCpuUsPerDelivery }, limit })}\n`);
    return { ...result, ...(ingestorCpuUsPerDelivery === undefined ? {} : { ingestorCpuUsPerDelivery }) };
  } finally {
    stopWatchingInterrupt();
    await tearDown();
  }
}
