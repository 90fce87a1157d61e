import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import avro from 'avsc';
import { VerityError } from '@verity/core';

export interface RawRecordSchema {
  type: 'record';
  name: string;
  namespace: string;
  fields: unknown[];
  doc?: string;
}

/** One version of one event (or command) schema, as found in `schemas/<ctx>/<Name>.v<N>.avsc`. */
export interface SchemaVersion {
  context: string;
  name: string;
  version: number;
  /** `verity.<ctx>.<Name>`: the same for every version, so all versions share a registry subject. */
  fullName: string;
  raw: RawRecordSchema;
  type: avro.Type;
  file: string;
}

const FILE_PATTERN = /^([A-Z][A-Za-z0-9]*)\.v([1-9][0-9]*)\.avsc$/;

/** A file in the schemas folder breaks the naming rules or is not a valid Avro record schema. */
export class BadSchemaFileError extends VerityError {
  constructor(file: string, reason: string, cause?: unknown) {
    super('bad_schema_file', `${file}: ${reason}`, { context: { file }, cause });
  }
}

export const defaultSchemasDir = (): string => dirname(require.resolve('@verity/schemas/package.json'));

/** Every schema in the schemas folder, checked for the naming rules, in (fullName, version) order. */
export class SchemaCatalog {
  private readonly byFullName = new Map<string, SchemaVersion[]>();

  constructor(versions: SchemaVersion[]) {
    for (const v of [...versions].sort((a, b) => a.version - b.version)) {
      const list = this.byFullName.get(v.fullName) ?? [];
      list.push(v);
      this.byFullName.set(v.fullName, list);
    }
  }

  /** Throws the first bad file; `checkSchemas` reports them all instead. */
  static load(dir: string = defaultSchemasDir()): SchemaCatalog {
    const { versions, errors } = readSchemaFiles(dir);
    if (errors[0]) throw errors[0];
    return new SchemaCatalog(versions);
  }

  /** Full names of every event in the catalogue, sorted. */
  fullNames(): string[] {
    return [...this.byFullName.keys()].sort();
  }

  has(fullName: string): boolean {
    return this.byFullName.has(fullName);
  }

  /** Versions of one event, oldest first. */
  versions(fullName: string): SchemaVersion[] {
    const list = this.byFullName.get(fullName);
    if (!list) throw new VerityError('unknown_schema', `no schema named ${fullName} in the catalogue`);
    return list;
  }

  latest(fullName: string): SchemaVersion {
    const list = this.versions(fullName);
    return list[list.length - 1]!;
  }

  ofContext(context: string): SchemaVersion[] {
    return [...this.byFullName.values()].flat().filter((v) => v.context === context);
  }

  /**
   * The catalogue version a writer's schema (e.g. fetched from the registry by id) is. The
   * parsing canonical form ignores docs and defaults, so when it matches several versions the
   * one whose full schema is equal wins; undefined when the writer is none of ours.
   */
  versionOf(writer: avro.Type): SchemaVersion | undefined {
    if (!writer.name || !this.has(writer.name)) return undefined;
    const fingerprint = writer.fingerprint().toString('hex');
    const candidates = this.versions(writer.name).filter((v) => v.type.fingerprint().toString('hex') === fingerprint);
    const full = JSON.stringify(writer.schema({ exportAttrs: true }));
    return candidates.find((v) => JSON.stringify(v.type.schema({ exportAttrs: true })) === full) ?? candidates[0];
  }
}

/** Every `<ctx>/*.avsc` under dir, parsed; files that break the naming rules become errors. */
export function readSchemaFiles(dir: string): { versions: SchemaVersion[]; errors: BadSchemaFileError[] } {
  const versions: SchemaVersion[] = [];
  const errors: BadSchemaFileError[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === 'node_modules') continue;
    const context = entry.name;
    for (const file of readdirSync(join(dir, context)).sort()) {
      if (!file.endsWith('.avsc')) continue;
      try {
        versions.push(parseSchemaFile(join(dir, context, file), context, file));
      } catch (error) {
        errors.push(
          error instanceof BadSchemaFileError
            ? error
            : new BadSchemaFileError(
                join(dir, context, file),
                `is not a valid Avro schema (${(error as Error).message})`,
                error,
              ),
        );
      }
    }
  }
  return { versions, errors };
}

function parseSchemaFile(file: string, context: string, fileName: string): SchemaVersion {
  const match = FILE_PATTERN.exec(fileName);
  if (!match) throw new BadSchemaFileError(file, 'name must be <Name>.v<N>.avsc');
  const [, name, version] = match as unknown as [string, string, string];
  const raw = JSON.parse(readFileSync(file, 'utf8')) as RawRecordSchema;
  if (raw.type !== 'record' || raw.name !== name || raw.namespace !== `verity.${context}`) {
    throw new BadSchemaFileError(file, `must be a record named ${name} in namespace verity.${context}`);
  }
  return {
    context,
    name,
    version: Number(version),
    fullName: `${raw.namespace}.${raw.name}`,
    raw,
    type: avro.Type.forSchema(raw as avro.Schema),
    file,
  };
}
