export { contexts } from './contexts';
export { commandProcessorEnvSchema, type CommandProcessorEnv } from './env';
export { createCommandProcessorService, type CommandProcessorService } from './service';
export { inventoryContext, inventoryDecider, type InventoryCommand, type InventoryEvent, type StockState } from './inventory';
export { GOVERNED_FIELDS, type GovernedField } from './sources';
export { conflictIdSchema } from './sources/governance';
export { pricingContext, quote, ruleOf, type PriceRule, type Quote, type QuoteRequest, type QuoteRuleName } from './pricing';
