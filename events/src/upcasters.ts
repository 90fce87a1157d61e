import type avro from 'avsc';
import { InvalidOptionError, VerityError } from '@verity/core';
import type { SchemaCatalog, SchemaVersion } from './schema-catalog';

type Payload = Record<string, unknown>;

/**
 * Lifts a payload of `fromVersion` of an event to `fromVersion + 1`, for semantic changes Avro
 * resolution cannot express (a field split in two, a unit change). Steps without an upcaster
 * are left to Avro: renamed-with-alias fields, promotions and defaults.
 */
export interface Upcaster {
  /** Avro full name of the event, e.g. `verity.inventory.StockReceived`. */
  fullName: string;
  fromVersion: number;
  /** Receives the payload in the `fromVersion` shape; returns it in the next version's shape. */
  upcast(data: Payload): Payload;
}

/** An upcaster threw, or returned something the next version's schema refuses. */
export class UpcastError extends VerityError {
  constructor(fullName: string, fromVersion: number, reason: string, cause?: unknown) {
    super('upcast_failed', `upcasting ${fullName} v${fromVersion} to v${fromVersion + 1} failed: ${reason}`, {
      context: { fullName, fromVersion },
      cause,
    });
  }
}

const stepKey = (fullName: string, fromVersion: number): string => `${fullName}|${fromVersion}`;

/** Upcasters checked against a catalogue, turned into decoders that return the newest shape. */
export class UpcasterChain {
  private readonly steps = new Map<string, Upcaster>();

  /** Fails fast on an upcaster for an unknown event, for a version without a successor, or a second one for a step. */
  constructor(
    private readonly catalog: SchemaCatalog,
    upcasters: readonly Upcaster[] = [],
  ) {
    for (const upcaster of upcasters) {
      const { fullName, fromVersion } = upcaster;
      const known = catalog.has(fullName) ? catalog.versions(fullName).map((v) => v.version) : [];
      if (!known.includes(fromVersion) || !known.includes(fromVersion + 1)) {
        throw new InvalidOptionError(
          'upcasters',
          `${fullName} v${fromVersion} → v${fromVersion + 1} needs both versions in the catalogue (it has ${known.map((v) => `v${v}`).join(', ') || 'none'})`,
        );
      }
      if (this.steps.has(stepKey(fullName, fromVersion))) {
        throw new InvalidOptionError(
          'upcasters',
          `two upcasters for ${fullName} v${fromVersion} → v${fromVersion + 1}`,
        );
      }
      this.steps.set(stepKey(fullName, fromVersion), upcaster);
    }
  }

  /**
   * Decodes bodies written with `writer` (catalogue version `from`) into the newest version:
   * Avro resolves across each run of versions without an upcaster, and each upcaster lifts one
   * step. A writer that is no version of ours (`from` undefined) is resolved straight into the
   * newest version, as no upcaster can be known to apply.
   */
  decoder(writer: avro.Type, from: SchemaVersion | undefined): (body: Buffer) => Payload {
    const versions = this.catalog.versions(from?.fullName ?? writer.name ?? '');
    const latest = versions[versions.length - 1]!;
    const stops = from
      ? versions.filter((v) => v.version >= from.version && this.steps.has(stepKey(v.fullName, v.version)))
      : [];
    const first = stops[0] ?? latest;
    const firstResolver = first.type.createResolver(writer);
    const stages = stops.map((stop, i) => {
      const upcaster = this.steps.get(stepKey(stop.fullName, stop.version))!;
      const next = versions.find((v) => v.version === stop.version + 1)!;
      const target = stops[i + 1] ?? latest;
      // Re-encoding is only needed when Avro still has versions to resolve before the next stop.
      const resolver = target === next ? undefined : target.type.createResolver(next.type);
      return (value: Payload): Payload => {
        const lifted = runUpcaster(upcaster, next, value);
        return resolver ? (target.type.fromBuffer(next.type.toBuffer(lifted), resolver) as Payload) : lifted;
      };
    });
    return (body) =>
      stages.reduce((value, stage) => stage(value), first.type.fromBuffer(body, firstResolver) as Payload);
  }
}

function runUpcaster(upcaster: Upcaster, next: SchemaVersion, value: Payload): Payload {
  let lifted: Payload;
  try {
    lifted = upcaster.upcast(value);
  } catch (cause) {
    throw new UpcastError(
      upcaster.fullName,
      upcaster.fromVersion,
      `the upcaster threw: ${(cause as Error).message}`,
      cause,
    );
  }
  const problems: string[] = [];
  next.type.isValid(lifted, {
    errorHook: (path, v) => problems.push(`${path.join('.') || '(root)'}: ${JSON.stringify(v)} is not valid`),
  });
  if (problems.length > 0)
    throw new UpcastError(
      upcaster.fullName,
      upcaster.fromVersion,
      `v${next.version} refuses its result: ${problems.join('; ')}`,
    );
  return lifted;
}
