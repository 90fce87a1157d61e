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
  }

  "Change notices of the read models, over Server-Sent Events (accept: text/event-stream)."
  type Subscription {
    "Each time the stock of the SKU changes."
    stockChanged(sku: String!): StockChange!
    "Each time an alias (of the context, when given) is registered, changed or deactivated."
    aliasChanged(context: AliasContext): AliasChange!
  }

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
`;
