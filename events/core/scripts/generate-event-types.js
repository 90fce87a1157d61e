'use strict';
// Writes src/generated/event-types.ts from the .avsc files in schemas/. Plain CommonJS so the
// build runs it before tsc, and the unit test requires it to check the committed file is current.
const { readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const avro = require('avsc');

const FILE_PATTERN = /^([A-Z][A-Za-z0-9]*)\.v([1-9][0-9]*)\.avsc$/;
const OUTPUT = join(__dirname, '..', 'src', 'generated', 'event-types.ts');
const COMMAND = 'npm run generate -w @verity/core';

const defaultSchemasDir = () => dirname(require.resolve('@verity/schemas/package.json'));

/** Every `<ctx>/<Name>.v<N>.avsc`, sorted by full name then version; bad files are left to `checkSchemas`. */
function readEvents(dir) {
  const events = [];
  for (const context of readdirSync(dir, { withFileTypes: true })) {
    if (!context.isDirectory() || context.name === 'node_modules') continue;
    for (const file of readdirSync(join(dir, context.name))) {
      const match = FILE_PATTERN.exec(file);
      if (!match) continue;
      const raw = JSON.parse(readFileSync(join(dir, context.name, file), 'utf8'));
      events.push({
        context: context.name,
        name: match[1],
        version: Number(match[2]),
        fullName: `${raw.namespace}.${raw.name}`,
        raw,
      });
    }
  }
  return events.sort((a, b) => (a.fullName === b.fullName ? a.version - b.version : a.fullName < b.fullName ? -1 : 1));
}

const pascal = (text) => text.replace(/(^|[^A-Za-z0-9])([a-z0-9])/g, (_m, _sep, c) => c.toUpperCase());
const quote = (text) => JSON.stringify(text);
const docComment = (doc, indent) => (doc ? `${indent}/** ${doc.replace(/\*\//g, '*\\/')} */\n` : '');

/**
 * TypeScript for what avsc decodes into with default options: long is a number, bytes and
 * fixed are Buffers, and a union is unwrapped unless avsc wraps it (`{ branchName: value }`)
 * because two branches would be indistinguishable.
 */
function tsType(type, nested, owner) {
  switch (type.typeName) {
    case 'null':
      return 'null';
    case 'boolean':
      return 'boolean';
    case 'int':
    case 'long':
    case 'float':
    case 'double':
      return 'number';
    case 'string':
      return 'string';
    case 'bytes':
    case 'fixed':
      return 'Buffer';
    case 'enum':
      return type.symbols.map(quote).join(' | ');
    case 'array':
      return `Array<${tsType(type.itemsType, nested, owner)}>`;
    case 'map':
      return `Record<string, ${tsType(type.valuesType, nested, owner)}>`;
    case 'record':
      return recordInterface(type, nested, owner);
    case 'union:unwrapped':
      return type.types.map((t) => tsType(t, nested, owner)).join(' | ');
    case 'union:wrapped':
      return type.types
        .map((t) => (t.typeName === 'null' ? 'null' : `{ ${quote(t.branchName)}: ${tsType(t, nested, owner)} }`))
        .join(' | ');
    default:
      throw new Error(`no TypeScript mapping for Avro type ${type.typeName}`);
  }
}

/** A nested record becomes its own interface, `<Owner><RecordName>`, declared once (recursion included). */
function recordInterface(type, nested, owner) {
  const interfaceName = `${owner}${pascal(type.name.split('.').pop())}`;
  if (!nested.has(interfaceName)) {
    nested.set(interfaceName, '');
    nested.set(interfaceName, interfaceBody(interfaceName, type, nested, owner));
  }
  return interfaceName;
}

function interfaceBody(interfaceName, type, nested, owner) {
  // avsc keeps a field's doc only in the schema it exports, not on the Field object.
  const docs = new Map(type.schema({ exportAttrs: true }).fields.map((f) => [f.name, f.doc]));
  const fields = type.fields
    .map((f) => `${docComment(docs.get(f.name), '  ')}  ${f.name}: ${tsType(f.type, nested, owner)};\n`)
    .join('');
  return `${docComment(type.doc, '')}export interface ${interfaceName} {\n${fields}}\n`;
}

/** The content of src/generated/event-types.ts for the schemas in dir. */
function generateEventTypes(dir = defaultSchemasDir()) {
  const events = readEvents(dir);
  // Events of the same name in two contexts get the context as a prefix, so names never clash.
  const contextsByName = new Map();
  for (const e of events) contextsByName.set(e.name, new Set([...(contextsByName.get(e.name) ?? []), e.context]));
  const typeName = (e) => (contextsByName.get(e.name).size > 1 ? pascal(e.context) : '') + e.name;

  const blocks = [];
  const latest = new Map();
  for (const event of events) {
    const interfaceName = `${typeName(event)}V${event.version}`;
    const nested = new Map();
    const body = interfaceBody(interfaceName, avro.Type.forSchema(event.raw), nested, interfaceName);
    blocks.push([body, ...nested.values()].join('\n'));
    latest.set(event.fullName, { alias: typeName(event), interfaceName });
  }
  for (const [fullName, { alias, interfaceName }] of latest) {
    blocks.push(
      `/** The newest version of ${fullName}: what deciders and projections see. */\nexport type ${alias} = ${interfaceName};\n`,
    );
  }
  const entries = [...latest].map(([fullName, { alias }]) => `  ${quote(fullName)}: ${alias};\n`).join('');
  blocks.push(
    `/** The newest payload of each event, by Avro full name. */\nexport interface LatestEventPayloads {\n${entries}}\n`,
  );
  blocks.push('export type EventFullName = keyof LatestEventPayloads;\n');

  const header = `// Generated from schemas/ by events/core/scripts/generate-event-types.js; do not edit.\n// Regenerate with: ${COMMAND}\n`;
  return `${header}\n${blocks.join('\n')}`;
}

if (require.main === module) {
  writeFileSync(OUTPUT, generateEventTypes());
  console.log(`wrote ${OUTPUT}`);
}

module.exports = { generateEventTypes, OUTPUT, COMMAND };
