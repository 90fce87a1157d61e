import avro from 'avsc';
import { VerityError } from '@verity/core';
import type { SchemaCatalog, SchemaVersion } from './schema-catalog';

/** A newer version of an event cannot read data written with an older one (BACKWARD_TRANSITIVE). */
export class SchemaCompatibilityError extends VerityError {
  constructor(fullName: string, readerVersion: number, writerVersion: number, reasons: string[]) {
    super(
      'incompatible_schema',
      `${fullName} v${readerVersion} cannot read data written with v${writerVersion}: ${reasons.join('; ')}`,
      {
        context: { fullName, readerVersion, writerVersion, reasons },
      },
    );
  }
}

/** The versions of one event do not run v1, v2, … without gaps. */
export class SchemaVersionsError extends VerityError {
  constructor(fullName: string, versions: number[]) {
    super(
      'bad_schema_versions',
      `${fullName} has versions ${versions.map((v) => `v${v}`).join(', ')}: versions must run from v1 without gaps`,
      {
        context: { fullName, versions },
      },
    );
  }
}

/**
 * Why `reader` cannot read what `writer` wrote, one reason per field; empty when it can.
 * avsc's resolver decides; the reasons come from comparing the two schemas, since its own
 * message ("cannot read X as Y") names neither the field nor the rule.
 */
export function incompatibilities(reader: avro.Type, writer: avro.Type): string[] {
  try {
    reader.createResolver(writer);
    return [];
  } catch (error) {
    const reasons = explain(reader, writer, '');
    return reasons.length > 0 ? reasons : [`avsc refuses to resolve: ${(error as Error).message}`];
  }
}

/** Every version of one event against all earlier ones, oldest first. */
export function checkEventCompatibility(versions: readonly SchemaVersion[]): SchemaCompatibilityError[] {
  const sorted = [...versions].sort((a, b) => a.version - b.version);
  const errors: SchemaCompatibilityError[] = [];
  sorted.forEach((newer, i) => {
    for (const older of sorted.slice(0, i)) {
      const reasons = incompatibilities(newer.type, older.type);
      if (reasons.length > 0)
        errors.push(new SchemaCompatibilityError(newer.fullName, newer.version, older.version, reasons));
    }
  });
  return errors;
}

/** The version sequence rule and BACKWARD_TRANSITIVE compatibility, for every event of a catalogue. */
export function checkCatalogCompatibility(
  catalog: SchemaCatalog,
): Array<SchemaVersionsError | SchemaCompatibilityError> {
  return catalog.fullNames().flatMap((fullName) => {
    const versions = catalog.versions(fullName);
    const numbers = versions.map((v) => v.version);
    const contiguous = numbers.every((n, i) => n === i + 1);
    return [...(contiguous ? [] : [new SchemaVersionsError(fullName, numbers)]), ...checkEventCompatibility(versions)];
  });
}

const resolves = (reader: avro.Type, writer: avro.Type): boolean => {
  try {
    reader.createResolver(writer);
    return true;
  } catch {
    return false;
  }
};

const { RecordType, EnumType, ArrayType, MapType, UnwrappedUnionType, WrappedUnionType } = avro.types;

const isUnion = (type: avro.Type): type is avro.types.UnwrappedUnionType | avro.types.WrappedUnionType =>
  type instanceof UnwrappedUnionType || type instanceof WrappedUnionType;

/** Schema-like name of a type for messages: `long`, `record verity.x.Y`, `array<string>`, `union [null, string]`. */
function describe(type: avro.Type): string {
  if (type instanceof ArrayType) return `array<${describe(type.itemsType)}>`;
  if (type instanceof MapType) return `map<${describe(type.valuesType as avro.Type)}>`;
  if (isUnion(type)) return `union [${type.types.map(describe).join(', ')}]`;
  return type.name ? `${type.typeName} ${type.name}` : type.typeName;
}

const sameName = (reader: avro.Type, writer: avro.Type): boolean =>
  reader.name === writer.name || (reader.aliases ?? []).includes(writer.name ?? '');

function explain(reader: avro.Type, writer: avro.Type, path: string): string[] {
  if (resolves(reader, writer)) return [];
  const at = path || '(root)';
  if (reader instanceof RecordType && writer instanceof RecordType && sameName(reader, writer))
    return explainRecord(reader, writer, path);
  if (reader instanceof EnumType && writer instanceof EnumType && sameName(reader, writer)) {
    const lost = writer.symbols.filter((s) => !reader.symbols.includes(s));
    return [`enum \`${at}\` dropped symbols ${lost.join(', ')} that older data may hold, and has no default symbol`];
  }
  if (reader instanceof ArrayType && writer instanceof ArrayType)
    return explain(reader.itemsType, writer.itemsType, `${path}[]`);
  if (reader instanceof MapType && writer instanceof MapType)
    return explain(reader.valuesType as avro.Type, writer.valuesType as avro.Type, `${path}{}`);
  if (isUnion(writer) && isUnion(reader)) {
    const unreadable = writer.types.filter((branch) => !reader.types.some((r) => resolves(r, branch)));
    return [`union \`${at}\` can no longer read its former branches ${unreadable.map(describe).join(', ')}`];
  }
  if (reader.name && writer.name && reader.typeName === writer.typeName && !sameName(reader, writer)) {
    return [
      `${reader.typeName} \`${at}\` renamed from ${writer.name} to ${reader.name} without the old name as an alias`,
    ];
  }
  return [
    `type of \`${at}\` changed from ${describe(writer)} to ${describe(reader)}, which is not a promotion Avro allows`,
  ];
}

function explainRecord(reader: avro.types.RecordType, writer: avro.types.RecordType, path: string): string[] {
  return reader.fields.flatMap((field) => {
    const fieldPath = path ? `${path}.${field.name}` : field.name;
    const written = writer.fields.find((w) => w.name === field.name || field.aliases.includes(w.name));
    if (written) return explain(field.type, written.type, fieldPath);
    // A field the writer never had is filled from the reader's default; without one there is nothing to fill.
    return field.defaultValue() === undefined ? [`field \`${fieldPath}\` added without a default`] : [];
  });
}
