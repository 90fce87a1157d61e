import { z } from 'zod';
import { commandSkuSchema, SKU_CHARACTERS, SKU_MAX_LENGTH, skuSchema } from './sku';

const messagesOf = (schema: z.ZodType, value: unknown): string[] => {
  const parsed = schema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
};

describe('SKU', () => {
  it.each(['SKU-1', 'a', 'A.b_c-9', '0', 'x'.repeat(SKU_MAX_LENGTH)])('%p is a SKU', (sku) => {
    expect(skuSchema.parse(sku)).toBe(sku);
    expect(commandSkuSchema.parse(sku)).toBe(sku);
  });

  it.each(['', 'bad sku', '-x', '.x', '_x', 'é', 'x'.repeat(SKU_MAX_LENGTH + 1)])('%p is not', (sku) => {
    expect(skuSchema.safeParse(sku).success).toBe(false);
    expect(commandSkuSchema.safeParse(sku).success).toBe(false);
  });

  it('says which characters it takes', () => {
    expect(messagesOf(skuSchema, 'bad sku')).toEqual([SKU_CHARACTERS]);
  });

  it('a command drops white space around it first; a read takes it as given', () => {
    expect(commandSkuSchema.parse(` SKU-1\t`)).toBe('SKU-1');
    expect(commandSkuSchema.parse(` ${'x'.repeat(SKU_MAX_LENGTH)} `)).toBe('x'.repeat(SKU_MAX_LENGTH));
    expect(skuSchema.safeParse(' SKU-1').success).toBe(false);
  });

  it('both describe the same rule to JSON Schema', () => {
    const expected = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' };
    expect(z.toJSONSchema(skuSchema, { io: 'input' })).toMatchObject(expected);
    expect(z.toJSONSchema(commandSkuSchema, { io: 'input' })).toMatchObject(expected);
  });
});
