import { z } from 'zod';
import type { DomainCommand } from '@verity/events';

const sku = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash and underscore');
const location = z.string().trim().min(1).max(64);
const quantity = z.number().int().positive().max(1_000_000_000);

export const receiveStockSchema = z.strictObject({ sku, location, quantity });
export type ReceiveStockData = z.infer<typeof receiveStockSchema>;

export type InventoryCommand = DomainCommand<'ReceiveStock', ReceiveStockData>;
