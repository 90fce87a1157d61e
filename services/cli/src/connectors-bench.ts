import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { parseEnv } from '@verity/service-kit';
import { startPlatformProcesses } from './bench/platform';
import { summarizeLatencies, type LatencySummary } from './bench/percentiles';
import { UsageError } from './errors';
import { applyConnector, connectorRequestOf } from './connectors-apply';
import { createConnectApi } from './connectors-connect-api';
import { connectorsEnvSchema } from './connectors-env';
import { createDemoErp, databaseUrl, dropDemoErp } from './connectors-demo-erp';
import { openSandbox } from './sandbox';

export interface CdcBenchOptions {
  /** Measured updates, one after another. */
  updates: number;
  /** Updates before the measured ones (JIT, connections, caches). */
  warmup: number;
  /** Pause between one update becoming visible and the next. */
  pauseMs: number;
}

export function parseCdcBenchArgs(args: readonly string[]): CdcBenchOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { updates: { type: 'string' }, warmup: { type: 'string' }, 'pause-ms': { type: 'string' } },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`connectors bench: ${(error as Error).message}`);
  }
  const count = (name: string, fallback: number, min: number): number => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min)
      throw new UsageError(`--${name} ${String(raw)}: an integer of at least ${min}`);
    return n;
  };
  return { updates: count('updates', 200, 1), warmup: count('warmup', 20, 0), pauseMs: count('pause-ms', 20, 0) };
}

const progress = (message: string): void => void process.stderr.write(`cdc bench: ${message}\n`);
const SKU = 'WIDGET-001';
const LOCATION = 'main';

/**
 * A row updated in the ERP database → the new count in the stock read model, measured one
 * update at a time on the real path: PostgreSQL's WAL, Debezium in Kafka Connect, its topic,
 * the cdc-ingestor, the commands topic, the command processor, the events topic, the
 * projector. The services run as processes from their builds, in a sandbox of their own, with
 * a database, slot, publication and connector of the run's own, all removed afterwards.
 */
export async function runCdcBench(args: readonly string[]): Promise<LatencySummary> {
  const options = parseCdcBenchArgs(args);
  const config = parseEnv(connectorsEnvSchema);
  const sandbox = await openSandbox(config, { label: 'cdcbench' });
  const env: NodeJS.ProcessEnv = { ...sandbox.env, VERITY_CDC_TOPIC_REFRESH_MS: '500' };
  const database = `erp_${sandbox.prefix}`;
  const slot = `cdc_${sandbox.prefix}`;
  const connector = `erp-${sandbox.prefix}`;
  const connect = createConnectApi(config.VERITY_KAFKA_CONNECT_URL);
  const services = startPlatformProcesses(
    env,
    ['command-processor', 'projector', 'gateway', 'query-api', 'cdc-ingestor'],
    1,
    progress,
  );
  const erp = new Client({ connectionString: databaseUrl(config.VERITY_DATABASE_URL, database) });
  const readModel = new Client({ connectionString: config.VERITY_DATABASE_URL });
  let connected = false;
  try {
    await services.ready;
    await createDemoErp(config.VERITY_DATABASE_URL, database);
    const request = await connectorRequestOf(
      { action: 'apply', database, name: connector, slot, publication: slot },
      sandbox.prefix,
    );
    await applyConnector(connect, request);
    progress(`connector ${connector} applied on database ${database}`);
    await erp.connect();
    await readModel.connect();
    connected = true;
    const onHand = async (): Promise<number | undefined> => {
      const { rows } = await readModel.query<{ on_hand: string }>(
        `SELECT on_hand FROM "${sandbox.schema}".stock_levels WHERE tenant = 'default' AND sku = $1 AND location = $2`,
        [SKU, LOCATION],
      );
      return rows[0] === undefined ? undefined : Number(rows[0].on_hand);
    };
    /** Milliseconds from the UPDATE's commit to the count in the read model. */
    const update = async (quantity: number, timeoutMs = 60_000): Promise<number> => {
      await erp.query(
        'UPDATE inventory_levels SET quantity = $1, updated_at = now() WHERE sku = $2 AND location = $3',
        [quantity, SKU, LOCATION],
      );
      const committed = performance.now();
      while ((await onHand()) !== quantity) {
        if (performance.now() - committed > timeoutMs)
          throw new Error(`quantity ${quantity} not in the read model after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      return performance.now() - committed;
    };
    progress('waiting for the initial snapshot in the read model');
    const start = performance.now();
    while ((await onHand()) === undefined) {
      if (performance.now() - start > 120_000) throw new Error('the snapshot never reached the read model');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    progress(`snapshot visible after ${Math.round(performance.now() - start)} ms; ${options.warmup} warm-up updates`);
    let quantity = 10_000;
    for (let i = 0; i < options.warmup; i++) await update(++quantity);
    progress(`${options.updates} measured updates`);
    const latencies: number[] = [];
    for (let i = 0; i < options.updates; i++) {
      latencies.push(await update(++quantity));
      if (options.pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
    const summary = summarizeLatencies(latencies);
    const ms = (n: number) => `${n.toFixed(1)} ms`;
    process.stdout.write(
      `ERP row updated → read model (${summary.count} updates, one at a time)\n` +
        `  p50 ${ms(summary.p50)}  p99 ${ms(summary.p99)}  mean ${ms(summary.mean)}  max ${ms(summary.max)}\n`,
    );
    return summary;
  } finally {
    if (connected) await Promise.all([erp.end(), readModel.end()]);
    await connect.remove(connector).catch(() => undefined);
    await dropDemoErp(config.VERITY_DATABASE_URL, database, slot).catch((error: Error) => progress(error.message));
    await services.stop();
    await sandbox.cleanup();
  }
}
