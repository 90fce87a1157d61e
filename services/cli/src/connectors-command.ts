import { parseEnv } from '@verity/service-kit';
import { applyConnector, connectorRequestOf } from './connectors-apply';
import { parseConnectorsArgs } from './connectors-args';
import { runCdcBench } from './connectors-bench';
import { connectorsEnvSchema } from './connectors-env';
import { createConnectApi, statusLines } from './connectors-connect-api';
import { createDemoErp } from './connectors-demo-erp';

export { CONNECTORS_USAGE } from './connectors-args';

export interface ConnectorsIo {
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown };
}

/** Runs `verity connectors ...`; returns the exit code. */
export async function runConnectors(
  args: readonly string[],
  io: ConnectorsIo = { env: process.env, stdout: process.stdout },
): Promise<number> {
  if (args[0] === 'bench') {
    await runCdcBench(args.slice(1));
    return 0;
  }
  const parsed = parseConnectorsArgs(args);
  const env = parseEnv(connectorsEnvSchema, io.env);
  const api = createConnectApi(env.VERITY_KAFKA_CONNECT_URL);
  switch (parsed.action) {
    case 'demo-erp': {
      const { created } = await createDemoErp(env.VERITY_DATABASE_URL, parsed.database);
      io.stdout.write(
        `${created ? 'created' : 'kept'} database ${parsed.database}: tables items, inventory_levels, price_list_lines ` +
          `and their demo rows; role erp_cdc may replicate them\n` +
          `next: npx verity connectors apply${parsed.database === 'erp' ? '' : ` --database ${parsed.database}`}\n`,
      );
      return 0;
    }
    case 'apply': {
      const request = await connectorRequestOf(parsed, env.VERITY_TOPIC_PREFIX);
      const created = await applyConnector(api, request);
      io.stdout.write(
        `${created ? 'created' : 'updated'} connector ${request.name}: database ${request.config['database.dbname']}, ` +
          `tables ${request.config['table.include.list']}, topics ${request.config['topic.prefix']}.*, ` +
          `tenant ${request.config['transforms.verityTenant.value.literal']}\n`,
      );
      return 0;
    }
    case 'status': {
      const all = await api.statuses();
      const wanted = parsed.names.length === 0 ? all : all.filter((s) => parsed.names.includes(s.name));
      io.stdout.write(statusLines(wanted));
      const missing = parsed.names.filter((n) => !all.some((s) => s.name === n));
      for (const name of missing) io.stdout.write(`${name}  not registered\n`);
      const healthy = wanted.every(
        (s) => s.connector.state === 'RUNNING' && s.tasks.every((t) => t.state === 'RUNNING'),
      );
      return healthy && missing.length === 0 ? 0 : 1;
    }
  }
}
