import { VerityError, tenantIdSchema } from '@verity/core';
import { z } from 'zod';

/** Kafka Connect's class of the Debezium PostgreSQL connector. */
export const POSTGRES_CONNECTOR_CLASS = 'io.debezium.connector.postgresql.PostgresConnector';

/** Headers the connector puts on every record (Connect's InsertHeader), read by the CDC ingestor. */
export const TENANT_HEADER = 'verity-tenant';
export const CURRENCY_HEADER = 'verity-currency';

/**
 * A checked-in connector file (`connectors/cdc/debezium/*.json`): Kafka Connect's own config,
 * and Verity's settings of the source, which Connect does not know and never receives as such.
 */
export const connectorFileSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,100}$/, 'a connector name: lowercase letters, digits, _ . -'),
  verity: z.strictObject({
    /** Every change of this database belongs to this tenant. */
    tenant: tenantIdSchema,
    /** The currency of the database's prices (`unit_price` in major units, e.g. 12.99). */
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code of three upper-case letters'),
  }),
  config: z.record(z.string(), z.string()),
});
export type ConnectorFile = z.infer<typeof connectorFileSchema>;

/** What a run changes in the checked-in file: a sandbox or a second ERP gets its own names. */
export interface ConnectorOverrides {
  /** The Verity topic prefix (`VERITY_TOPIC_PREFIX`): Debezium's topics are `<prefix>.cdc.<topic.prefix>.<schema>.<table>`. */
  topicPrefix: string;
  name?: string;
  tenant?: string;
  database?: string;
  slot?: string;
  publication?: string;
  /** `database.hostname` and `database.port`, e.g. of another PostgreSQL. */
  host?: string;
  port?: number;
}

/** A connector as Kafka Connect's REST API takes it. */
export interface ConnectorRequest {
  name: string;
  config: Record<string, string>;
}

/** The prefix of every Debezium topic the CDC ingestor reads under a Verity topic prefix. */
export const cdcTopicPrefix = (topicPrefix: string): string => `${topicPrefix}.cdc.`;

/** A connector file that is not JSON or not of the expected shape: every wrong field named. */
export class InvalidConnectorFileError extends VerityError {
  constructor(message: string) {
    super('invalid_connector_file', message);
  }
}

/** Parses a checked-in connector file, naming every field it gets wrong. */
export function parseConnectorFile(text: string): ConnectorFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidConnectorFileError(`not JSON: ${(error as Error).message}`);
  }
  const parsed = connectorFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new InvalidConnectorFileError(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; '),
    );
  }
  return parsed.data;
}

/**
 * The config sent to Kafka Connect: the file's, with the run's names, the topic prefix under
 * Verity's (so sandboxes never read each other's changes), and the tenant and currency as
 * headers on every record. Connect validates and stores only this; the `verity` block is not sent.
 */
export function connectorRequest(file: ConnectorFile, overrides: ConnectorOverrides): ConnectorRequest {
  const tenant = overrides.tenant === undefined ? file.verity.tenant : tenantIdSchema.parse(overrides.tenant);
  const config: Record<string, string> = { ...file.config };
  const set = (key: string, value: string | number | undefined): void => {
    if (value !== undefined) config[key] = String(value);
  };
  set('database.dbname', overrides.database);
  set('slot.name', overrides.slot);
  set('publication.name', overrides.publication);
  set('database.hostname', overrides.host);
  set('database.port', overrides.port);
  config['topic.prefix'] = `${cdcTopicPrefix(overrides.topicPrefix)}${file.config['topic.prefix'] ?? file.name}`;
  // Heartbeats go to `<heartbeat prefix>.<topic.prefix>`: under the Verity prefix too (a sandbox's
  // cleanup removes them), but outside `<prefix>.cdc.`, which the ingestor reads.
  config['topic.heartbeat.prefix'] = `${overrides.topicPrefix}.cdc-heartbeat`;
  const transforms = (config.transforms ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '' && t !== 'verityTenant' && t !== 'verityCurrency');
  config.transforms = [...transforms, 'verityTenant', 'verityCurrency'].join(',');
  Object.assign(config, insertHeader('verityTenant', TENANT_HEADER, tenant));
  Object.assign(config, insertHeader('verityCurrency', CURRENCY_HEADER, file.verity.currency));
  return { name: overrides.name ?? file.name, config };
}

function insertHeader(alias: string, header: string, value: string): Record<string, string> {
  return {
    [`transforms.${alias}.type`]: 'org.apache.kafka.connect.transforms.InsertHeader',
    [`transforms.${alias}.header`]: header,
    [`transforms.${alias}.value.literal`]: value,
  };
}
