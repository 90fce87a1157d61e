import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import avro from 'avsc';
import { VerityError } from './errors';

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

  static load(dir: string = defaultSchemasDir()): SchemaCatalog {
    const versions: SchemaVersion[] = [];
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === 'node_modules') continue;
      const context = entry.name;
      for (const file of readdirSync(join(dir, context))) {
        if (!file.endsWith('.avsc')) continue;
        versions.push(parseSchemaFile(join(dir, context, file), context, file));
      }
    }
    return new SchemaCatalog(versions);
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
}

function parseSchemaFile(file: string, context: string, fileName: string): SchemaVersion {
  const match = FILE_PATTERN.exec(fileName);
  if (!match) throw new VerityError('bad_schema_file', `${file}: name must be <Name>.v<N>.avsc`);
  const [, name, version] = match as unknown as [string, string, string];
  const raw = JSON.parse(readFileSync(file, 'utf8')) as RawRecordSchema;
  if (raw.type !== 'record' || raw.name !== name || raw.namespace !== `verity.${context}`) {
    throw new VerityError('bad_schema_file', `${file}: must be a record named ${name} in namespace verity.${context}`);
  }
  return { context, name, version: Number(version), fullName: `${raw.namespace}.${raw.name}`, raw, type: avro.Type.forSchema(raw as avro.Schema), file };
}
