import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { connectorRequest, parseConnectorFile, type ConnectorRequest } from '@verity/connector-cdc';
import type { ConnectorsArgs } from './connectors-args';
import type { ConnectApi } from './connectors-connect-api';

/** The checked-in connector of the demo ERP database. */
export const DEFAULT_CONNECTOR_FILE = join(
  dirname(require.resolve('@verity/connector-cdc/package.json')),
  'debezium',
  'erp-postgres.json',
);

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
