import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { UndecodableRecordError, VerityError } from '@verity/core';
import type { SchemaCatalog, SchemaVersion } from './schema-catalog';
import { UpcastError, UpcasterChain, type Upcaster } from './upcasters';
import { frame, unframe } from './wire-format';

/** Registry subject of an event type on a topic (TopicRecordNameStrategy). */
export const subjectOf = (topic: string, fullName: string): string => `${topic}-${fullName}`;

export class InvalidEventPayloadError extends VerityError {
  constructor(fullName: string, problems: string[]) {
    super('invalid_event_payload', `${fullName} payload does not match its schema: ${problems.join('; ')}`, {
      context: { fullName, problems },
    });
  }
}

export interface DecodedValue {
  schemaId: number;
  fullName: string;
  /** Catalogue version the record was written with; null when its schema is none of ours (e.g. a newer deployment's). */
  writerVersion: number | null;
  /** The payload in the newest version's shape. */
  value: Record<string, unknown>;
}

/** What decoding the records of one writer schema id takes, built once per id. */
interface DecodePlan {
  fullName: string;
  writerVersion: number | null;
  decode(body: Buffer): Record<string, unknown>;
}

/**
 * Avro in Confluent's wire format (magic byte, 4-byte schema id, Avro body) with schemas from
 * the registry. Encoding is local with ids learnt at registration; decoding looks the
 * writer's schema up by id once, and lifts what it decodes to the newest version.
 */
export class AvroSerde {
  private readonly ids = new Map<string, { id: number; version: SchemaVersion }>();
  private readonly plans = new Map<number, Promise<DecodePlan>>();
  private readonly upcasters: UpcasterChain;

  /** `upcasters` (default none) lift old versions where Avro resolution alone cannot; checked against the catalogue here. */
  constructor(
    private readonly registry: SchemaRegistry,
    private readonly catalog: SchemaCatalog,
    upcasters: readonly Upcaster[] = [],
  ) {
    this.upcasters = new UpcasterChain(catalog, upcasters);
  }

  /**
   * Registers every version of each event, oldest first, under `<topic>-<full name>`.
   * Idempotent: the registry answers an existing schema with its existing id.
   */
  async register(topic: string, fullNames: string[]): Promise<void> {
    for (const fullName of fullNames) {
      for (const version of this.catalog.versions(fullName)) {
        const register = () =>
          this.registry.register(
            { type: SchemaType.AVRO, schema: JSON.stringify(version.raw) },
            { subject: subjectOf(topic, fullName), compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE },
          );
        // The client reads a new subject's compatibility and then sets it: of two instances starting
        // together, the second to set it gets 409. Asked again, it finds it set and leaves it.
        const { id } = await register().catch((error: unknown) => {
          if ((error as { status?: unknown }).status === 409) return register();
          throw error;
        });
        this.ids.set(`${topic}|${fullName}`, { id, version });
      }
    }
  }

  /** Encodes with the newest version of the event's schema; the id must have been registered. */
  encode(
    topic: string,
    fullName: string,
    payload: Record<string, unknown>,
  ): { value: Buffer; schemaId: number; schemaVersion: number } {
    const registered = this.ids.get(`${topic}|${fullName}`);
    if (!registered) throw new VerityError('schema_not_registered', `${fullName} is not registered for topic ${topic}`);
    const problems: string[] = [];
    const type = registered.version.type;
    if (
      !type.isValid(payload, {
        errorHook: (path, value) =>
          problems.push(`${path.join('.') || '(root)'}: ${JSON.stringify(value)} is not valid`),
      })
    ) {
      throw new InvalidEventPayloadError(fullName, problems);
    }
    return {
      value: frame(registered.id, type.toBuffer(payload)),
      schemaId: registered.id,
      schemaVersion: registered.version.version,
    };
  }

  /**
   * Decodes with the writer's schema, then brings the payload to the newest version in the
   * catalogue: Avro resolution fills defaults, upcasters lift the steps Avro cannot.
   */
  async decode(value: Buffer | null, where: Record<string, unknown> = {}): Promise<DecodedValue> {
    const { schemaId, body } = unframe(value, where);
    const plan = await this.planFor(schemaId, where);
    try {
      return { schemaId, fullName: plan.fullName, writerVersion: plan.writerVersion, value: plan.decode(body) };
    } catch (cause) {
      if (cause instanceof UpcastError) throw cause;
      throw new UndecodableRecordError(
        `Avro body does not decode with schema ${schemaId}`,
        { ...where, schemaId },
        cause,
      );
    }
  }

  private planFor(schemaId: number, where: Record<string, unknown>): Promise<DecodePlan> {
    let plan = this.plans.get(schemaId);
    if (!plan) {
      plan = this.fetchWriter(schemaId, where).then((writer) => this.buildPlan(schemaId, writer, where));
      // A failure is not cached: the registry may answer next time.
      plan.catch(() => this.plans.delete(schemaId));
      this.plans.set(schemaId, plan);
    }
    return plan;
  }

  private async fetchWriter(schemaId: number, where: Record<string, unknown>): Promise<avro.Type> {
    try {
      const schema = await this.registry.getSchema(schemaId);
      // Rebuilt with our own avsc: the registry client may carry another copy of it.
      return avro.Type.forSchema((schema as unknown as avro.Type).schema({ exportAttrs: true }));
    } catch (cause) {
      throw new UndecodableRecordError(
        `schema id ${schemaId} is unknown to the registry`,
        { ...where, schemaId },
        cause,
      );
    }
  }

  private buildPlan(schemaId: number, writer: avro.Type, where: Record<string, unknown>): DecodePlan {
    const fullName = writer.name;
    if (!fullName) throw new UndecodableRecordError(`schema ${schemaId} is not a named record`, where);
    if (!this.catalog.has(fullName))
      throw new VerityError('unknown_schema', `no schema named ${fullName} in the catalogue`);
    const version = this.catalog.versionOf(writer);
    try {
      return { fullName, writerVersion: version?.version ?? null, decode: this.upcasters.decoder(writer, version) };
    } catch (cause) {
      throw new UndecodableRecordError(
        `schema ${schemaId} cannot be resolved into the newest ${fullName}`,
        { ...where, schemaId },
        cause,
      );
    }
  }
}
