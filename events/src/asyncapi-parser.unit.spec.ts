import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAsyncApi } from './asyncapi';
import { SchemaCatalog } from './schema-catalog';

/** The official parser and its Avro schema parser, root devDependencies. */
const PARSERS = ['@asyncapi/parser', '@asyncapi/avro-schema-parser'];
const root = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as {
  devDependencies?: Record<string, string>;
};
// Runs once the parsers are declared (from then on a missing install fails it); until then it is skipped, not passed.
const declared = PARSERS.every((name) => root.devDependencies?.[name] !== undefined);

interface ParseResult {
  errors: { message: string; path: (string | number)[] }[];
  channels: string[];
  messages: number;
}

/** Parses with the AsyncAPI parser and its Avro schema parser, in a child so that the test needs no types of them. */
function parseAsyncApi(doc: unknown): ParseResult {
  const script = `const { Parser, DiagnosticSeverity } = require('@asyncapi/parser');
const { AvroSchemaParser } = require('@asyncapi/avro-schema-parser');
(async () => {
  const chunks = []; for await (const c of process.stdin) chunks.push(c);
  const parser = new Parser();
  parser.registerSchemaParser(AvroSchemaParser());
  const { document, diagnostics } = await parser.parse(Buffer.concat(chunks).toString());
  const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).map((d) => ({ message: d.message, path: d.path }));
  console.log(JSON.stringify({
    errors,
    channels: document ? document.channels().all().map((c) => c.address()) : [],
    messages: document ? document.components().messages().all().length : 0,
  }));
})().catch((e) => { console.error(e); process.exit(1); });`;
  return JSON.parse(
    execFileSync(process.execPath, ['-e', script], { cwd: __dirname, input: JSON.stringify(doc) }).toString(),
  ) as ParseResult;
}

const catalog = SchemaCatalog.load();
const contexts = [...new Set(catalog.fullNames().map((n) => n.split('.')[1]!))].map((name) => ({
  name,
  events: catalog.fullNames().flatMap((n) => (n.startsWith(`verity.${name}.`) ? [n.split('.')[2]!] : [])),
}));

(declared ? describe : describe.skip)('AsyncAPI document, by the official parser', () => {
  it('is valid AsyncAPI 3.0, every Avro payload parsed, servers and bindings included', () => {
    const doc = buildAsyncApi({
      catalog,
      contexts,
      prefix: 'verity',
      partitions: 3,
      brokers: ['localhost:9092'],
      schemaRegistryUrl: 'http://localhost:8081/apis/ccompat/v7',
    });
    const result = parseAsyncApi(doc);
    expect(result.errors).toEqual([]);
    expect(result.channels.sort()).toEqual(contexts.map((c) => `verity.${c.name}.events`).sort());
    expect(result.messages).toBe(catalog.fullNames().flatMap((n) => catalog.versions(n)).length);
  });

  it('reports a broken document, so a pass means something', () => {
    const doc = buildAsyncApi({ catalog, contexts }) as { operations: Record<string, { action: string }> };
    const [first] = Object.values(doc.operations);
    first!.action = 'publish';
    expect(parseAsyncApi(doc).errors.length).toBeGreaterThan(0);
  });
});
