import { AVRO_CONTENT_TYPE, EVENT_HEADERS, eventFullName, type EventHeaderName } from '@verity/core';
import type { SchemaCatalog } from './schema-catalog';
import { contextTopicConfigs, contextTopics, DEFAULT_TOPIC_PREFIX, type ContextTopics } from './topics';
import { subjectOf } from './avro-serde';

/** The schema format of every message payload: the `.avsc` as written, Avro 1.9 JSON. */
export const AVRO_SCHEMA_FORMAT = 'application/vnd.apache.avro+json;version=1.9.0';

/** Version of the Kafka bindings used (server, channel and message). */
const KAFKA_BINDING_VERSION = '0.5.0';

/** A context as the document needs it: its name and the short names of the events it emits. */
export interface AsyncApiContext {
  name: string;
  events: readonly string[];
}

export interface AsyncApiOptions {
  /** The Avro schemas: every version of every event is one message. */
  catalog: SchemaCatalog;
  /** The contexts whose events topics are documented (the domain's `contexts`). */
  contexts: readonly AsyncApiContext[];
  /** Topic prefix of the deployment described. Default `verity`. */
  prefix?: string;
  /** Partitions of each events topic. Omitted: not stated. */
  partitions?: number;
  /** Bootstrap brokers. Omitted: no server is named. */
  brokers?: readonly string[];
  /** The Confluent-API schema registry the brokers' records name schema ids of. */
  schemaRegistryUrl?: string;
  /** `info.version`. Default `0.1.0`. */
  version?: string;
}

type Json = Record<string, unknown>;

/** Stream id, `<tenant>/<aggregate id>`: the tenant id's own pattern, a slash, then the aggregate id. */
const STREAM_ID_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}/.+$';
/**
 * The record key. Inline, not a `$ref`: the binding's `key` is a schema or a reference, and a
 * schema holding only `$ref` is both, which the AsyncAPI JSON Schema refuses (oneOf).
 */
const STREAM_KEY: Json = {
  type: 'string',
  pattern: STREAM_ID_PATTERN,
  description:
    'The stream id `<tenant>/<aggregate id>`, UTF-8. It picks the partition (murmur2, as the Java client), so a stream stays in one partition.',
};
const SHA256_HEX = '^[0-9a-f]{64}$';

const WIRE_FORMAT =
  'The record value is in the Confluent wire format: byte 0 is the magic byte `0`, bytes 1-4 the schema id ' +
  '(big-endian int32) under which the writer registered its schema, then the Avro binary body. Fetch the ' +
  'writer schema by id from the schema registry (`GET /schemas/ids/{id}`) and decode the body with it; ' +
  'resolve it to the reader schema you compiled against (Avro schema resolution). Subjects follow ' +
  '`TopicRecordNameStrategy`: `<topic>-<record full name>`, BACKWARD_TRANSITIVE.';

const GUARANTEES =
  'All events of one stream (one key) are in one partition, in stream-version order (`ce_streamversion` ' +
  '1, 2, 3, ...). Events are written in Kafka transactions: consume with `isolation.level=read_committed` ' +
  '(kafkajs: `readUncommitted: false`, the default), or records of aborted transactions are seen. ' +
  'Delivery to a consumer is at least once: after a rebalance or a restart the records since its last ' +
  'committed offset come again, so deduplicate on `ce_id` (unique per event, and the same when the event is ' +
  'read again) or keep the last `ce_streamversion` applied per `ce_subject`. The topics are kept forever: a ' +
  'new consumer may read from the beginning.';

/** What every header says; the compiler requires an entry for each header `toHeaders` writes. */
const HEADER_SCHEMAS: Record<EventHeaderName, Json> = {
  ce_specversion: {
    type: 'string',
    const: '1.0',
    description: 'CloudEvents spec version (Kafka binding, binary mode).',
  },
  'content-type': {
    type: 'string',
    const: AVRO_CONTENT_TYPE,
    description: 'The value is Avro in the Confluent wire format.',
  },
  ce_id: {
    type: 'string',
    description:
      'Event id, `<command id>:<index>`: unique, and the same if the record is delivered again. Deduplicate on it.',
  },
  ce_type: { type: 'string', description: 'The Avro record full name, `verity.<context>.<Name>`.' },
  ce_source: { type: 'string', description: 'The context that appended it, `/verity/<context>`.' },
  ce_time: { type: 'string', format: 'date-time', description: 'When Verity accepted the command (ISO 8601, UTC).' },
  ce_subject: {
    type: 'string',
    pattern: STREAM_ID_PATTERN,
    description: 'Stream id, `<tenant>/<aggregate id>`; equal to the record key.',
  },
  ce_streamversion: {
    type: 'string',
    pattern: '^[1-9][0-9]*$',
    description: "Version of the stream this event brings it to (decimal): 1 for a stream's first event, then +1 each.",
  },
  ce_schemaversion: {
    type: 'string',
    pattern: '^[1-9][0-9]*$',
    description: 'Version N of the schema file `<Name>.v<N>.avsc` the value was written with (decimal).',
  },
  ce_tenant: {
    type: 'string',
    pattern: '^[a-z0-9][a-z0-9-]{0,62}$',
    description: 'The tenant; the part of the key before `/`.',
  },
  ce_actor: {
    type: 'string',
    description: "Who sent the command: the credential's subject (JWT `sub` or API key id).",
  },
  ce_onbehalfof: {
    type: 'string',
    description: 'The person the actor acted for; present only when the command named one.',
  },
  ce_correlationid: { type: 'string', description: 'Correlation id of the request that led to the event.' },
  ce_causationid: { type: 'string', description: 'The command that caused it (its command id).' },
  ce_sourcesystem: { type: 'string', description: 'The system the change came from (e.g. `api`, an ERP).' },
  ce_sourcetime: { type: 'string', description: "The source system's own timestamp of the change." },
  ce_prevhash: {
    type: 'string',
    pattern: '^([0-9a-f]{64})?$',
    description: "`ce_hash` of the stream's previous event; empty for version 1.",
  },
  ce_hash: {
    type: 'string',
    pattern: SHA256_HEX,
    description:
      'sha256 (hex) over `ce_prevhash`, a newline, the canonical metadata JSON (attributes but the two hashes, ' +
      'keys sorted), a newline and the record value bytes: the stream hash chain `verity audit verify` checks.',
  },
};

/** The headers of one event type and version: the shared ones, with its own type, source and schema version fixed. */
function headersOf(context: string, fullName: string, version: number): Json {
  const fixed: Partial<Record<EventHeaderName, Json>> = {
    ce_type: { ...HEADER_SCHEMAS.ce_type, const: fullName },
    ce_source: { ...HEADER_SCHEMAS.ce_source, const: `/verity/${context}` },
    ce_schemaversion: { ...HEADER_SCHEMAS.ce_schemaversion, const: String(version) },
  };
  const names = [...EVENT_HEADERS.required, ...EVENT_HEADERS.optional];
  return {
    type: 'object',
    description: 'CloudEvents Kafka protocol binding, binary mode: `ce_` + attribute, UTF-8 strings.',
    required: [...EVENT_HEADERS.required],
    properties: Object.fromEntries(names.map((name) => [name, fixed[name] ?? HEADER_SCHEMAS[name]])),
  };
}

/** Id of a message in `components.messages`: `<context>.<Name>.v<N>`. */
export const asyncApiMessageId = (context: string, name: string, version: number): string =>
  `${context}.${name}.v${version}`;

/**
 * The AsyncAPI 3.0 document of the events topics: per context its topic, keyed by stream id, and
 * per event type and version a message with the CloudEvents headers and the Avro schema as
 * registered. Pure: built from the topic catalogue and the schema catalogue, nothing fetched.
 */
export function buildAsyncApi(options: AsyncApiOptions): Json {
  const { catalog, prefix = DEFAULT_TOPIC_PREFIX, partitions, brokers, schemaRegistryUrl, version = '0.1.0' } = options;
  const contexts = [...options.contexts].sort((a, b) => a.name.localeCompare(b.name));
  const channels: Json = {};
  const operations: Json = {};
  const messages: Json = {};

  for (const context of contexts) {
    const topics = contextTopics(context.name, prefix);
    const topic = topics.events;
    const channelId = `${context.name}.events`;
    const channelMessages: Json = {};
    for (const event of [...context.events].sort()) {
      const fullName = eventFullName(context.name, event);
      for (const schema of catalog.versions(fullName)) {
        const id = asyncApiMessageId(context.name, event, schema.version);
        channelMessages[`${event}.v${schema.version}`] = { $ref: `#/components/messages/${id}` };
        messages[id] = {
          name: fullName,
          title: `${event} v${schema.version}`,
          summary: schema.raw.doc ?? `${event}, written with ${event}.v${schema.version}.avsc.`,
          description: `Registered under subject \`${subjectOf(topic, fullName)}\`. ${WIRE_FORMAT}`,
          contentType: AVRO_CONTENT_TYPE,
          headers: headersOf(context.name, fullName, schema.version),
          payload: { schemaFormat: AVRO_SCHEMA_FORMAT, schema: schema.raw },
          correlationId: { location: '$message.header#/ce_correlationid' },
          bindings: {
            kafka: {
              key: STREAM_KEY,
              schemaIdLocation: 'payload',
              schemaIdPayloadEncoding: 'confluent',
              schemaLookupStrategy: 'TopicRecordNameStrategy',
              bindingVersion: KAFKA_BINDING_VERSION,
            },
          },
        };
      }
    }
    channels[channelId] = {
      address: topic,
      title: `${context.name} events`,
      description: `Every event of the ${context.name} context, the system of record. ${GUARANTEES}`,
      messages: channelMessages,
      bindings: { kafka: eventsTopicBinding(topics, partitions) },
    };
    operations[`${context.name}.events.send`] = {
      action: 'send',
      title: `Verity appends ${context.name} events`,
      summary: `The ${context.name} command processor appends events, one Kafka transaction per batch; downstream teams consume them.`,
      channel: { $ref: `#/channels/${channelId}` },
      messages: Object.keys(channelMessages).map((m) => ({ $ref: `#/channels/${channelId}/messages/${m}` })),
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Verity events',
      version,
      description:
        `The events topics of every Verity context, one per context (\`${prefix}.<context>.events\`), for downstream ` +
        `teams to consume directly. Key: the stream id, \`<tenant>/<aggregate id>\`. Headers: CloudEvents, binary mode. ` +
        `Value: Avro. ${WIRE_FORMAT} ${GUARANTEES}`,
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    defaultContentType: AVRO_CONTENT_TYPE,
    ...(brokers && brokers.length > 0
      ? {
          servers: {
            kafka: {
              host: brokers.join(','),
              protocol: 'kafka',
              description: 'The bootstrap brokers, comma-separated as `bootstrap.servers` takes them.',
              ...(schemaRegistryUrl
                ? {
                    bindings: {
                      kafka: {
                        schemaRegistryUrl: withoutCredentials(schemaRegistryUrl),
                        schemaRegistryVendor: 'confluent',
                        bindingVersion: KAFKA_BINDING_VERSION,
                      },
                    },
                  }
                : {}),
            },
          },
        }
      : {}),
    channels,
    operations,
    components: { messages },
  };
}

/** The events topic's settings as the topic catalogue creates it (kept forever), for the channel binding. */
function eventsTopicBinding(topics: ContextTopics, partitions: number | undefined): Json {
  const spec = contextTopicConfigs(topics, partitions ?? 1).find((t) => t.topic === topics.events);
  const entries = new Map((spec?.configEntries ?? []).map((e) => [e.name, e.value]));
  const topicConfiguration: Json = { 'cleanup.policy': (entries.get('cleanup.policy') ?? 'delete').split(',') };
  for (const name of ['retention.ms', 'retention.bytes']) {
    const value = entries.get(name);
    if (value !== undefined) topicConfiguration[name] = Number(value);
  }
  return {
    topic: topics.events,
    ...(partitions ? { partitions } : {}),
    topicConfiguration,
    bindingVersion: KAFKA_BINDING_VERSION,
  };
}

/** The URL without user and password: the document is served to anyone who asks. */
function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}
