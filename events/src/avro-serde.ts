import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { UndecodableRecordError, VerityError } from './errors';
import type { SchemaCatalog, SchemaVersion } from './schema-catalog';
import { frame, unframe } from './wire-format';

/** Registry subject of an event type on a topic (TopicRecordNameStrategy). */
export const subjectOf = (topic: string, fullName: string): string => `${topic}-${fullName}`;

export class InvalidEventPayloadError extends VerityError {
  constructor(fullName: string, problems: string[]) {
    super('invalid_event_payload', `${fullName} payload does not match its schema: ${problems.join('; ')}`, { context: { fullName, problems } });
  }
}

export interface DecodedValue {
  schemaId: number;
  fullName: string;
  value: Record<string, unknown>;
}

/**
 * Avro in Confluent's wire format (magic byte, 4-byte schema id, Avro body) with schemas from
 * the registry. Encoding is local with ids learnt at registration; decoding looks the
 * writer's schema up by id once and caches it.
 */
export class AvroSerde {
  private readonly ids = new Map<string, { id: number; version: SchemaVersion }>();
  private readonly writers = new Map<number, Promise<avro.Type>>();

  constructor(
    private readonly registry: SchemaRegistry,
    private readonly catalog: SchemaCatalog,
  ) {}

  /**
   * Registers every version of each event, oldest first, under `<topic>-<full name>`.
   * Idempotent: the registry answers an existing schema with its existing id.
   */
  async register(topic: string, fullNames: string[]): Promise<void> {
    for (const fullName of fullNames) {
      for (const version of this.catalog.versions(fullName)) {
        const { id } = await this.registry.register(
          { type: SchemaType.AVRO, schema: JSON.stringify(version.raw) },
          { subject: subjectOf(topic, fullName), compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE },
        );
        this.ids.set(`${topic}|${fullName}`, { id, version });
      }
    }
  }

  /** Encodes with the newest version of the event's schema; the id must have been registered. */
  encode(topic: string, fullName: string, payload: Record<string, unknown>): { value: Buffer; schemaId: number; schemaVersion: number } {
    const registered = this.ids.get(`${topic}|${fullName}`);
    if (!registered) throw new VerityError('schema_not_registered', `${fullName} is not registered for topic ${topic}`);
    const problems: string[] = [];
    const type = registered.version.type;
    if (!type.isValid(payload, { errorHook: (path, value) => problems.push(`${path.join('.') || '(root)'}: ${JSON.stringify(value)} is not valid`) })) {
      throw new InvalidEventPayloadError(fullName, problems);
    }
    return { value: frame(registered.id, type.toBuffer(payload)), schemaId: registered.id, schemaVersion: registered.version.version };
  }

  /** Decodes with the writer's schema, then resolves it to the newest version in the catalogue. */
  async decode(value: Buffer | null, where: Record<string, unknown> = {}): Promise<DecodedValue> {
    const { schemaId, body } = unframe(value, where);
    const writer = await this.writerType(schemaId, where);
    const fullName = writer.name;
    if (!fullName) throw new UndecodableRecordError(`schema ${schemaId} is not a named record`, where);
    const reader = this.catalog.latest(fullName).type;
    try {
      const resolver = reader.createResolver(writer);
      return { schemaId, fullName, value: reader.fromBuffer(body, resolver) as Record<string, unknown> };
    } catch (cause) {
      throw new UndecodableRecordError(`Avro body does not decode with schema ${schemaId}`, { ...where, schemaId }, cause);
    }
  }

  private writerType(schemaId: number, where: Record<string, unknown>): Promise<avro.Type> {
    let writer = this.writers.get(schemaId);
    if (!writer) {
      writer = this.registry.getSchema(schemaId).then(
        // Rebuilt with our own avsc: the registry client may carry another copy of it.
        (schema) => avro.Type.forSchema((schema as unknown as avro.Type).schema() as avro.Schema),
        (cause: unknown) => {
          this.writers.delete(schemaId);
          throw new UndecodableRecordError(`schema id ${schemaId} is unknown to the registry`, { ...where, schemaId }, cause);
        },
      );
      this.writers.set(schemaId, writer);
    }
    return writer;
  }
}
