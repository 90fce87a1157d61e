import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { connectorRequest, parseConnectorFile, type ConnectorRequest } from '@verity/connector-cdc';
import { parseEnv, platformEnvSchema, readModelEnvSchema } from '@verity/service-kit';
import { z } from 'zod';
import { parseConnectorsArgs, type ConnectorsArgs } from './connectors-args';
import { createConnectApi, statusLines, type ConnectApi } from './connectors-connect-api';
import { createDemoErp } from './connectors-demo-erp';

export { CONNECTORS_USAGE } from './connectors-args';

/** The checked-in connector of the demo ERP database. */
export const DEFAULT_CONNECTOR_FILE = join(
  dirname(require.resolve('@verity/connector-cdc/package.json')),
  'debezium',
  'erp-postgres.json',
);

const connectorsEnvSchema = platformEnvSchema.extend(readModelEnvSchema.shape).extend({
  /** Kafka Connect's REST API. */
  VERITY_KAFKA_CONNECT_URL: z.url().default('http://localhost:8083'),
});

export interface ConnectorsIo {
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown };
}

/** The request `apply` sends: the file's config with the run's names, under the topic prefix. */
export async function connectorRequestOf(
  args: Extract<ConnectorsArgs, { action: 'apply' }>,
  topicPrefix: string,
): Promise<ConnectorRequest> {
  const file = parseConnectorFile(await readFile(args.file ?? DEFAULT_CONNECTOR_FILE, 'utf8'));
  const { file: _file, action: _action, ...overrides } = args;
  return connectorRequest(file, { topicPrefix, ...overrides });
}

/**
 * Validates first, then PUTs: a config Connect or the plugin refuses is named with every error
 * and nothing is registered, and applying the same config again changes nothing.
 */
export async function applyConnector(api: ConnectApi, request: ConnectorRequest): Promise<boolean> {
  await api.validate(request);
  return api.put(request);
}

/** Runs `verity connectors ...`; returns the exit code. */
export async function runConnectors(
  args: readonly string[],
  io: ConnectorsIo = { env: process.env, stdout: process.stdout },
): Promise<number> {
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
