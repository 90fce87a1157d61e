// Generated from schemas/ by events/scripts/generate-event-types.js; do not edit.
// Regenerate with: npm run generate -w @verity/events

/** Goods were received into a location: on-hand quantity of the SKU at that location grows by quantity. */
export interface StockReceivedV1 {
  /** Stock keeping unit, unique per tenant */
  sku: string;
  /** Location (warehouse, store) that received the goods */
  location: string;
  /** Units received, always positive */
  quantity: number;
}

/** The newest version of verity.inventory.StockReceived: what deciders and projections see. */
export type StockReceived = StockReceivedV1;

/** The newest payload of each event, by Avro full name. */
export interface LatestEventPayloads {
  "verity.inventory.StockReceived": StockReceived;
}

export type EventFullName = keyof LatestEventPayloads;
