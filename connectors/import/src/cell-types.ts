import { z } from 'zod';

/** What a command's schema expects in a field, as far as a CSV cell's text must be converted for it. */
export type FieldKind = 'text' | 'number' | 'boolean' | 'json';

type JsonSchemaNode = { type?: string | string[]; anyOf?: JsonSchemaNode[]; oneOf?: JsonSchemaNode[] };

function kindOf(node: JsonSchemaNode): FieldKind {
  const types = [
    ...(Array.isArray(node.type) ? node.type : node.type ? [node.type] : []),
    ...[...(node.anyOf ?? []), ...(node.oneOf ?? [])].flatMap((n) => (n.type ? [n.type].flat() : [])),
  ].filter((t) => t !== 'null');
  const first = types[0];
  if (first === 'integer' || first === 'number') return 'number';
  if (first === 'boolean') return 'boolean';
  if (first === 'object' || first === 'array') return 'json';
  return 'text';
}

/**
 * The kind of every field a command's payload schema declares, read from the schema's JSON Schema
 * (its input side, before any transform), so the rule follows the domain's own schemas.
 */
export function fieldKindsOf(schema: z.ZodType): ReadonlyMap<string, FieldKind> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonSchemaNode>;
  };
  return new Map(Object.entries(json.properties ?? {}).map(([field, node]) => [field, kindOf(node)]));
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function converted(cell: string, kind: FieldKind | undefined): unknown {
  switch (kind) {
    case 'number':
      return NUMBER.test(cell.trim()) ? Number(cell.trim()) : cell;
    case 'boolean': {
      const lower = cell.trim().toLowerCase();
      return lower === 'true' ? true : lower === 'false' ? false : cell;
    }
    case 'json':
      try {
        return JSON.parse(cell);
      } catch {
        return cell;
      }
    default:
      return cell;
  }
}

/**
 * A CSV row's cells as a payload: an empty cell is an absent field; a cell is converted to the
 * type the command's schema expects in its column (a number, `true`/`false`, JSON for an object
 * or a list) and otherwise kept as text. A cell that does not convert stays text, so the schema
 * names its field when it refuses it; a column the schema does not know is kept and refused by it.
 */
export function payloadOfCells(
  cells: Readonly<Record<string, unknown>>,
  kinds: ReadonlyMap<string, FieldKind>,
): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const [field, cell] of Object.entries(cells)) {
    if (typeof cell !== 'string') payload[field] = cell;
    else if (cell !== '') payload[field] = converted(cell, kinds.get(field));
  }
  return payload;
}
