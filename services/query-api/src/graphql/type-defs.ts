import { CONFLICT_STATUSES } from '@verity/projection-source-conflicts';
import { CONFLICT_CONTEXTS, MAX_CONFLICT_PAGE, DEFAULT_CONFLICT_PAGE } from '../source-conflicts';

/** The GraphQL schema of the query API (SDL). `schema.graphql` at the package root is printed from it. */
export const typeDefs = /* GraphQL */ `
  "Reads over the Verity read models. The tenant is the X-Tenant-Id header (default: default)."
  type Query {
    "One product of the tenant; null when unknown."
    product(sku: String!): Product
    "The tenant's products ordered by SKU, one page at a time (first: 1..200, default 50)."
    products(first: Int = 50, after: String, status: ProductStatus): ProductPage!
    "Stock of one SKU; null when the SKU has no stock."
    stock(sku: String!): Stock
    "SKU-locations whose available-to-promise is below threshold, ordered by SKU then location (first: 1..500, default 50)."
    lowStock(threshold: Int!, first: Int = 50, after: String): StockLevelPage!
    "The canonical name an active, unexpired alias resolves to; null otherwise."
    resolveAlias(context: AliasContext!, alias: String!): AliasResolution
    """
    The price of quantity units of a SKU for a customer under a price list, at an instant (ISO 8601
    with an offset; default now): the answer of GET /v1/pricing/quote. Null when no rule applies;
    an unknown price list is an error (NOT_FOUND) naming priceListId.
    """
    quote(priceListId: String!, customer: String!, sku: String!, quantity: Int!, at: String): Quote
    "A price list with all its rules (by SKU, then the order they were set); null when unknown."
    priceList(id: String!): PriceList
    """
    Conflicts between source systems, oldest first, one page at a time (first: 1..${MAX_CONFLICT_PAGE}, default
    ${DEFAULT_CONFLICT_PAGE}): the list of GET /v1/conflicts. field is a governed field, e.g. inventory.onHand.
    """
    conflicts(status: ConflictStatus, context: ConflictContext, sku: String, field: String, first: Int = ${DEFAULT_CONFLICT_PAGE}, after: String): SourceConflictPage!
    "One conflict between source systems (GET /v1/conflicts/{conflictId}); null when unknown."
    conflict(id: String!): SourceConflict
    "The tenant's authority rules by field: the source systems that own each governed field that has one."
    authorityRules: [AuthorityRule!]!
  }

  "Change notices of the read models, over Server-Sent Events (accept: text/event-stream)."
  type Subscription {
    "Each time the stock of the SKU changes."
    stockChanged(sku: String!): StockChange!
    "Each time an alias (of the context, when given) is registered, changed or deactivated."
    aliasChanged(context: AliasContext): AliasChange!
    "Each time a price rule of the SKU in the price list is set: the customer's quote for quantity (default 1) as of delivery."
    priceChanged(priceListId: String!, sku: String!, customer: String!, quantity: Int = 1): PriceChange!
    "Each time the product is registered, updated or discontinued: the product as product(sku) answers when the notice is delivered."
    productChanged(sku: String!): Product!
    """
    Each time a conflict between source systems (of the SKU and of the context, when given) is detected or
    resolved: the conflict as conflict(id) answers when the notice is delivered.
    """
    conflictChanged(sku: String, context: ConflictContext): SourceConflict!
  }

  scalar Money

  enum ProductStatus {
    active
    discontinued
  }

  enum AliasContext {
    frontend
    backend
    system
  }

  type Attribute {
    key: String!
    value: String!
  }

  type Product {
    sku: String!
    name: String!
    description: String
    unit: String!
    attributes: [Attribute!]!
    status: ProductStatus!
    version: Int!
    updatedAt: String!
    "Stock of this SKU (loaded in one batch for every product of a request); null when none."
    stock: Stock
    """
    The price of this product for a customer under a price list (at: default now), loaded in one
    batch for every product of a request; null when no rule applies.
    """
    price(priceListId: String!, customer: String!, quantity: Int = 1, at: String): Quote
  }

  type ProductPage {
    items: [Product!]!
    "Pass as after to get the next page; null on the last page."
    nextCursor: String
  }

  type LocationStock {
    location: String!
    onHand: Int!
    reserved: Int!
    buffer: Int!
    available: Int!
  }

  type StockTotals {
    onHand: Int!
    reserved: Int!
    buffer: Int!
    available: Int!
  }

  type Stock {
    sku: String!
    version: Int!
    locations: [LocationStock!]!
    totals: StockTotals!
    updatedAt: String!
  }

  type StockLevel {
    sku: String!
    location: String!
    onHand: Int!
    reserved: Int!
    buffer: Int!
    available: Int!
  }

  type StockLevelPage {
    items: [StockLevel!]!
    nextCursor: String
  }

  type AliasResolution {
    context: AliasContext!
    alias: String!
    canonical: String!
    expiresAt: String
    version: Int!
  }

  type StockChange {
    sku: String!
    "Version of the stock stream the notice is about."
    version: Int!
    "The stock as the read model holds it when the notice is delivered."
    stock: Stock
  }

  type AliasChange {
    context: AliasContext!
    alias: String!
    "Version of the tenant's alias registry stream the notice is about."
    version: Int!
    "The resolution now; null when the alias no longer resolves."
    resolution: AliasResolution
  }

  "The kind of rule a quote came from, in precedence order."
  enum QuoteRule {
    customer_override
    customer_tier
    tier
    base
  }

  enum PriceRuleKind {
    base
    customer
    tiers
  }

  type Quote {
    priceListId: String!
    customerId: String!
    sku: String!
    quantity: Int!
    "The instant priced (ISO 8601, UTC)."
    at: String!
    unitPrice: Money!
    "unitPrice × quantity."
    total: Money!
    "ISO 4217, the price list's."
    currency: String!
    rule: QuoteRule!
    "The effective range of the rule that applied: [effectiveFrom, effectiveTo), effectiveTo null when open-ended."
    effectiveFrom: String!
    effectiveTo: String
  }

  type Tier {
    minQuantity: Int!
    unitPrice: Money!
  }

  type PriceRule {
    kind: PriceRuleKind!
    sku: String!
    "Set for customer rules and customer tiers."
    customerId: String
    "Set for base and customer rules."
    unitPrice: Money
    "Set for tiers."
    tiers: [Tier!]
    effectiveFrom: String!
    effectiveTo: String
    "Version of the price list stream that set the rule."
    version: Int!
  }

  type PriceList {
    priceListId: String!
    name: String!
    currency: String!
    version: Int!
    updatedAt: String!
    rules: [PriceRule!]!
  }

  type PriceChange {
    priceListId: String!
    sku: String!
    customerId: String!
    "Version of the price list stream the notice is about."
    version: Int!
    "The customer's quote when the notice is delivered; null when no rule applies then."
    quote: Quote
  }

  scalar JSON

  enum ConflictStatus {
    ${CONFLICT_STATUSES.join('\n    ')}
  }

  "Where a conflict lives and is resolved."
  enum ConflictContext {
    ${CONFLICT_CONTEXTS.join('\n    ')}
  }

  "Why a change was not applied: its source does not own the field, or it is older than the field's last applied change."
  enum ConflictRule {
    not_owner
    older_than_applied
  }

  "The side a resolution kept."
  enum ConflictSideName {
    current
    incoming
  }

  type ConflictSide {
    "The field's value: a string, a count or a string map, depending on the field."
    value: JSON
    "Null when the stream's value predates source tracking."
    sourceSystem: String
    sourceTimestamp: String
  }

  "A change a source system sent that was not applied, with both values and the rule."
  type SourceConflict {
    tenant: String!
    conflictId: String!
    context: ConflictContext!
    sku: String!
    "Set for inventory.onHand."
    location: String
    field: String!
    rule: ConflictRule!
    "The field's owners by the tenant's authority rule when the conflict was detected."
    owners: [String!]!
    "The stream's value when the change came."
    current: ConflictSide!
    "The value the source sent."
    incoming: ConflictSide!
    status: ConflictStatus!
    "The side the resolution kept; null while open."
    accepted: ConflictSideName
    detectedAt: String!
    resolvedAt: String
    "Version of the stream event that last changed the conflict."
    version: Int!
  }

  type SourceConflictPage {
    items: [SourceConflict!]!
    "Pass as after to get the next page; null on the last page."
    nextCursor: String
  }

  type AuthorityRule {
    field: String!
    owners: [String!]!
    "Version of the tenant's authority stream that set the rule."
    version: Int!
    updatedAt: String!
  }
`;
