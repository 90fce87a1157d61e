// Generated from schemas/ by events/core/scripts/generate-event-types.js; do not edit.
// Regenerate with: npm run generate -w @verity/core

/** A tenant was given a new API key, the first of a key family (the stream <tenant>/<keyId>); only a salted hash of its secret is kept. */
export interface ApiKeyIssuedV1 {
  /** Public id of the key, 20 base32 characters; also the family's id */
  keyId: string;
  /** What the key is for, for people */
  name: null | string;
  /** reader, writer or admin, for every context or one (writer:inventory), plus act-as and platform-operator */
  roles: Array<string>;
  /** ISO-8601 instant the key was issued */
  issuedAt: string;
  /** ISO-8601 instant from which the key is refused; null = never */
  expiresAt: null | string;
  /** How the key's secret is checked; the secret itself is never stored */
  secretHash: ApiKeyIssuedV1SecretHash;
}

/** A scrypt hash (N=2^14, r=8, p=1, 32 bytes) of the key's secret */
export interface ApiKeyIssuedV1SecretHash {
  /** Random salt, 16 bytes, base64url */
  salt: string;
  /** The hash, 32 bytes, base64url */
  hash: string;
}

/** A key of a family is refused from now on, for good; the family's other keys are not. */
export interface ApiKeyRevokedV1 {
  /** Public id of the revoked key */
  keyId: string;
  /** ISO-8601 instant of the revocation */
  revokedAt: string;
}

/** A key family got a new key with the family's roles; the key it replaces stays valid until it is revoked or expires. */
export interface ApiKeyRotatedV1 {
  /** Public id of the new key, 20 base32 characters */
  keyId: string;
  /** Id of the key of the family it replaces */
  replaces: string;
  /** ISO-8601 instant the new key was issued */
  issuedAt: string;
  /** ISO-8601 instant from which the new key is refused; null = never */
  expiresAt: null | string;
  /** The replaced key's expiry from now on; null = unchanged */
  replacedKeyExpiresAt: null | string;
  /** How the new key's secret is checked; the secret itself is never stored */
  secretHash: ApiKeyRotatedV1SecretHash;
}

/** A scrypt hash (N=2^14, r=8, p=1, 32 bytes) of the key's secret */
export interface ApiKeyRotatedV1SecretHash {
  /** Random salt, 16 bytes, base64url */
  salt: string;
  /** The hash, 32 bytes, base64url */
  hash: string;
}

/** A tenant gave a source system (the stream <tenant>/webhooks-<source>) one more secret its webhooks are signed with; the secrets added before stay valid until removed or expired. The secret is sealed (AES-256-GCM under the key-encryption key VERITY_SECRETS_KEY), never in clear text. */
export interface WebhookSecretAddedV1 {
  /** Public id of the secret, whk_ and 16 base32 characters */
  secretId: string;
  /** The source system: netsuite, shopify, sap-b1 or dynamics-365 */
  source: string;
  /** ISO-8601 instant the secret was added */
  addedAt: string;
  /** ISO-8601 instant from which the secret is refused; null = until removed */
  expiresAt: null | string;
  /** Shopify only: the shop (X-Shopify-Shop-Domain) whose deliveries belong to this tenant */
  shopDomain: null | string;
  /** How the secret is recovered by whoever holds the key-encryption key */
  sealed: WebhookSecretAddedV1SealedSecret;
}

/** The secret encrypted with AES-256-GCM, its tenant, source and id as additional data */
export interface WebhookSecretAddedV1SealedSecret {
  /** Which key-encryption key sealed it: 8 bytes of its SHA-256, hex */
  kek: string;
  /** The 12-byte nonce, base64url */
  iv: string;
  /** The encrypted secret, base64url */
  ciphertext: string;
  /** The 16-byte authentication tag, base64url */
  tag: string;
}

/** A webhook secret of a source system is refused from now on, for good; its other secrets are not. */
export interface WebhookSecretRemovedV1 {
  /** Public id of the removed secret */
  secretId: string;
  /** ISO-8601 instant of the removal */
  removedAt: string;
}

/** A tenant subscribed an HTTPS endpoint (the stream <tenant>/<subscriptionId>) to event types of its own streams: each matching event is POSTed to it as a CloudEvent, signed per Standard Webhooks. The secret is sealed, never in clear text. */
export interface WebhookSubscriptionCreatedV1 {
  /** Public id of the subscription, whs_ and 16 base32 characters */
  subscriptionId: string;
  /** The endpoint deliveries are POSTed to */
  url: string;
  /** Full event names (verity.<ctx>.<Name>) or a whole context (verity.<ctx>.*) */
  eventTypes: Array<string>;
  /** Only the events of this stream (<tenant>/<id>); null = every stream of the tenant */
  streamId: null | string;
  /** ISO-8601 instant of the subscription; events from then on are delivered */
  createdAt: string;
  /** The secret deliveries are signed with (Standard Webhooks), recovered by whoever holds VERITY_SECRETS_KEY */
  sealed: WebhookSubscriptionCreatedV1SealedSubscriptionSecret;
}

/** The signing secret encrypted with AES-256-GCM, <tenant>/<subscriptionId> as additional data */
export interface WebhookSubscriptionCreatedV1SealedSubscriptionSecret {
  /** Which key-encryption key sealed it: 8 bytes of its SHA-256, hex */
  kek: string;
  /** The 12-byte nonce, base64url */
  iv: string;
  /** The encrypted secret (whsec_ and base64), base64url */
  ciphertext: string;
  /** The 16-byte authentication tag, base64url */
  tag: string;
}

/** A subscription delivers nothing more, for good; what was still held is dropped. */
export interface WebhookSubscriptionDeletedV1 {
  /** Public id of the subscription, whs_ and 16 base32 characters */
  subscriptionId: string;
  /** ISO-8601 instant of the deletion */
  deletedAt: string;
}

/** Deliveries to a subscription are held (not dropped) until it is enabled again: its endpoint failed too many times in a row, or a tenant asked. */
export interface WebhookSubscriptionDisabledV1 {
  /** Public id of the subscription, whs_ and 16 base32 characters */
  subscriptionId: string;
  /** ISO-8601 instant it was disabled */
  disabledAt: string;
  /** Why: consecutive_failures or requested */
  reason: string;
  /** Consecutive failed attempts when it was disabled (0 when requested) */
  failures: number;
}

/** A disabled subscription delivers again, starting with what was held. */
export interface WebhookSubscriptionEnabledV1 {
  /** Public id of the subscription, whs_ and 16 base32 characters */
  subscriptionId: string;
  /** ISO-8601 instant it was enabled */
  enabledAt: string;
}

/** A rotation's overlap is over: the previous secret, kept sealed beside the current one until then, is dropped from the subscription and signs nothing more. */
export interface WebhookSubscriptionSecretOverlapEndedV1 {
  /** Public id of the subscription, whs_ and 16 base32 characters */
  subscriptionId: string;
  /** ISO-8601 instant the overlap ran to (the rotation's previousUntil): which overlap this ends */
  until: string;
  /** ISO-8601 instant the previous secret was dropped */
  endedAt: string;
}

/** A subscription's deliveries are signed with a new secret from now on; the previous one signs nothing more. */
export interface WebhookSubscriptionSecretRotatedV1 {
  /** Public id of the subscription, whs_ and 16 base32 characters */
  subscriptionId: string;
  /** ISO-8601 instant of the rotation */
  rotatedAt: string;
  /** The secret deliveries are signed with (Standard Webhooks), recovered by whoever holds VERITY_SECRETS_KEY */
  sealed: WebhookSubscriptionSecretRotatedV1SealedSubscriptionSecret;
}

/** The signing secret encrypted with AES-256-GCM, <tenant>/<subscriptionId> as additional data */
export interface WebhookSubscriptionSecretRotatedV1SealedSubscriptionSecret {
  /** Which key-encryption key sealed it: 8 bytes of its SHA-256, hex */
  kek: string;
  /** The 12-byte nonce, base64url */
  iv: string;
  /** The encrypted secret (whsec_ and base64), base64url */
  ciphertext: string;
  /** The 16-byte authentication tag, base64url */
  tag: string;
}

/** A subscription's deliveries are signed with a new secret from now on; the previous one also signs them until previousUntil, then nothing more. v2: the overlap. */
export interface WebhookSubscriptionSecretRotatedV2 {
  /** Public id of the subscription, whs_ and 16 base32 characters */
  subscriptionId: string;
  /** ISO-8601 instant of the rotation */
  rotatedAt: string;
  /** The secret deliveries are signed with (Standard Webhooks), recovered by whoever holds VERITY_SECRETS_KEY */
  sealed: WebhookSubscriptionSecretRotatedV2SealedSubscriptionSecret;
  /** ISO-8601 instant until which deliveries also carry a signature by the previous secret (Standard Webhooks lists several); null = no overlap, and in events written before v2 */
  previousUntil: null | string;
}

/** The signing secret encrypted with AES-256-GCM, <tenant>/<subscriptionId> as additional data */
export interface WebhookSubscriptionSecretRotatedV2SealedSubscriptionSecret {
  /** Which key-encryption key sealed it: 8 bytes of its SHA-256, hex */
  kek: string;
  /** The 12-byte nonce, base64url */
  iv: string;
  /** The encrypted secret (whsec_ and base64), base64url */
  ciphertext: string;
  /** The 16-byte authentication tag, base64url */
  tag: string;
}

/** A registration collided with an active alias of another owner and was not applied; it waits as an open conflict until resolved. */
export interface AliasConflictDetectedV1 {
  /** Deterministic from the registering command's id */
  conflictId: string;
  /** The proposed alias */
  alias: string;
  /** API context: frontend, backend or system */
  context: string;
  /** The proposed canonical name */
  canonical: string;
  /** Owner of the proposed registration */
  owner: string;
  /** The active alias it collided with */
  existingAlias: null | string;
  /** Owner of that alias */
  existingOwner: null | string;
  /** alias_taken (same alias+context, other owner) or canonical_owned (canonical already aliased by another owner) */
  kind: string;
  /** Description of the proposed registration */
  description: null | string;
  /** Expiry of the proposed registration (ISO-8601), null = never */
  expiresAt: null | string;
}

/** An open conflict was closed: accept applied the proposed registration (replacing the existing alias), reject dropped it. */
export interface AliasConflictResolvedV1 {
  /** The conflict */
  conflictId: string;
  /** accept or reject */
  resolution: string;
  /** The proposed alias */
  alias: string;
  /** API context */
  context: string;
}

/** An alias stopped resolving in one context of a tenant's registry. */
export interface AliasDeactivatedV1 {
  /** The alias name */
  alias: string;
  /** API context: frontend, backend or system */
  context: string;
  /** Canonical name it resolved to until now */
  canonical: string;
  /** deactivated (by command) or replaced (an accepted conflict took its canonical) */
  reason: string;
}

/** An alias now resolves to a canonical API name in one context of a tenant's registry; it replaces whatever that alias+context resolved to before. */
export interface AliasRegisteredV1 {
  /** The alias name, unique per tenant and context */
  alias: string;
  /** API context the alias lives in: frontend, backend or system */
  context: string;
  /** Canonical API name the alias resolves to */
  canonical: string;
  /** Free text for people */
  description: null | string;
  /** Who owns the alias (the registering actor unless given) */
  owner: string;
  /** ISO-8601 instant from which the alias no longer resolves; null = never */
  expiresAt: null | string;
  /** The accepted conflict this registration came from, if any */
  conflictId: null | string;
}

/** The governance rules of a tenant's alias registry, complete as they now stand; they apply to registrations from now on. */
export interface GovernanceSetV1 {
  /** Regular expression every new alias must match */
  namingPattern: string;
  /** Contexts aliases may be registered in */
  allowedContexts: Array<string>;
  /** Most active aliases one canonical may have per context */
  maxAliasesPerCanonical: number;
}

/** A change was not applied because its source does not own the field or it is older than the field's last applied change; open until ConflictResolved. */
export interface CatalogConflictDetectedV1 {
  /** Id to resolve it by, derived from tenant, command id, field and location */
  conflictId: string;
  /** Stock keeping unit, unique per tenant */
  sku: string;
  /** Location of a per-location field (on hand), else null */
  location: null | string;
  /** Governed field, <context>.<field>, e.g. catalog.description, inventory.onHand */
  field: string;
  /** The value the stream holds, as JSON */
  currentValue: string;
  /** Source of the current value; null when unknown */
  currentSourceSystem: null | string;
  /** Source time of the current value, ISO 8601 UTC; null when unknown */
  currentSourceTimestamp: null | string;
  /** The refused value, as JSON */
  incomingValue: string;
  /** Source of the refused change */
  incomingSourceSystem: string;
  /** Source time of the refused change, ISO 8601 UTC */
  incomingSourceTimestamp: string;
  /** not_owner (an authority rule names other owners) or older_than_applied (the field holds a newer change) */
  rule: string;
  /** Owners the tenant's rule names for the field; empty when none does */
  owners: Array<string>;
}

/** An open conflict was resolved by command: current keeps the stream's value, incoming applies the refused change (a separate event in the same transaction). */
export interface CatalogConflictResolvedV1 {
  /** The conflict resolved */
  conflictId: string;
  /** Stock keeping unit, unique per tenant */
  sku: string;
  /** Location of a per-location field, else null */
  location: null | string;
  /** Governed field */
  field: string;
  /** current or incoming */
  accepted: string;
}

/** A product was discontinued: it stays readable but can no longer be updated. */
export interface ProductDiscontinuedV1 {
  /** Stock keeping unit, unique per tenant */
  sku: string;
  /** Why, null when no reason was given */
  reason: null | string;
}

/** A product entered the tenant's catalog; it is active from now on. */
export interface ProductRegisteredV1 {
  /** Stock keeping unit, unique per tenant */
  sku: string;
  /** Display name */
  name: string;
  /** Unit of measure, a short upper-case code such as EA, KG, M, L, BOX */
  unit: string;
  /** Free text, null when none was given */
  description: null | string;
  /** Flat string attributes (colour, size, ...) */
  attributes: Record<string, string>;
}

/** A product entered the tenant's catalog; it is active from now on. v2: the source of its values. */
export interface ProductRegisteredV2 {
  /** Stock keeping unit, unique per tenant */
  sku: string;
  /** Display name */
  name: string;
  /** Unit of measure, a short upper-case code such as EA, KG, M, L, BOX */
  unit: string;
  /** Free text, null when none was given */
  description: null | string;
  /** Flat string attributes (colour, size, ...) */
  attributes: Record<string, string>;
  /** Source system the change came from (netsuite, shopify, sap-b1, dynamics-365, erp-db, api); null in events written before v2 */
  sourceSystem: null | string;
  /** The source's own time of the change, ISO 8601 UTC; null in events written before v2 */
  sourceTimestamp: null | string;
}

/** Fields of an active product changed: only the changed fields are set, every other field is null. */
export interface ProductUpdatedV1 {
  /** Stock keeping unit, unique per tenant */
  sku: string;
  /** New display name, null when unchanged */
  name: null | string;
  /** New description, null when unchanged */
  description: null | string;
  /** New unit of measure, null when unchanged */
  unit: null | string;
  /** The new full attribute map (replaces the old one), null when unchanged */
  attributes: null | Record<string, string>;
}

/** Fields of an active product changed: only the changed fields are set, every other field is null. v2: the source of the change. */
export interface ProductUpdatedV2 {
  /** Stock keeping unit, unique per tenant */
  sku: string;
  /** New display name, null when unchanged */
  name: null | string;
  /** New description, null when unchanged */
  description: null | string;
  /** New unit of measure, null when unchanged */
  unit: null | string;
  /** The new full attribute map (replaces the old one), null when unchanged */
  attributes: null | Record<string, string>;
  /** Source system the change came from (netsuite, shopify, sap-b1, dynamics-365, erp-db, api); null in events written before v2 */
  sourceSystem: null | string;
  /** The source's own time of the change, ISO 8601 UTC; null in events written before v2 */
  sourceTimestamp: null | string;
}

/** A change was not applied because its source does not own the field or it is older than the field's last applied change; open until ConflictResolved. */
export interface InventoryConflictDetectedV1 {
  /** Id to resolve it by, derived from tenant, command id, field and location */
  conflictId: string;
  /** Stock keeping unit, unique per tenant */
  sku: string;
  /** Location of a per-location field (on hand), else null */
  location: null | string;
  /** Governed field, <context>.<field>, e.g. catalog.description, inventory.onHand */
  field: string;
  /** The value the stream holds, as JSON */
  currentValue: string;
  /** Source of the current value; null when unknown */
  currentSourceSystem: null | string;
  /** Source time of the current value, ISO 8601 UTC; null when unknown */
  currentSourceTimestamp: null | string;
  /** The refused value, as JSON */
  incomingValue: string;
  /** Source of the refused change */
  incomingSourceSystem: string;
  /** Source time of the refused change, ISO 8601 UTC */
  incomingSourceTimestamp: string;
  /** not_owner (an authority rule names other owners) or older_than_applied (the field holds a newer change) */
  rule: string;
  /** Owners the tenant's rule names for the field; empty when none does */
  owners: Array<string>;
}

/** An open conflict was resolved by command: current keeps the stream's value, incoming applies the refused change (a separate event in the same transaction). */
export interface InventoryConflictResolvedV1 {
  /** The conflict resolved */
  conflictId: string;
  /** Stock keeping unit, unique per tenant */
  sku: string;
  /** Location of a per-location field, else null */
  location: null | string;
  /** Governed field */
  field: string;
  /** current or incoming */
  accepted: string;
}

/** A reservation was committed (the goods shipped): on hand and reserved at its location both drop by its quantity. */
export interface ReservationCommittedV1 {
  /** Stock keeping unit, unique per tenant */
  sku: string;
  /** Caller-chosen id of the reservation, unique within the SKU */
  reservationId: string;
  /** Location the reservation held units at */
  location: string;
  /** Units shipped */
  quantity: number;
}

/** A reservation passed its expiresAt and was released by ExpireReservations: its units are available again. */
export interface ReservationExpiredV1 {
  /** Stock keeping unit, unique per tenant */
  sku: string;
  /** Caller-chosen id of the reservation, unique within the SKU */
  reservationId: string;
  /** Location the reservation held units at */
  location: string;
  /** Units the reservation held */
  quantity: number;
  /** ISO 8601 UTC instant the reservation expired at */
  expiresAt: string;
}

/** A reservation was released before it was committed: its units are available again. */
export interface ReservationReleasedV1 {
  /** Stock keeping unit, unique per tenant */
  sku: string;
  /** Caller-chosen id of the reservation, unique within the SKU */
  reservationId: string;
  /** Location the reservation held units at */
  location: string;
  /** Units the reservation held */
  quantity: number;
}

/** The safety buffer of a location was set: units held back from available-to-promise (onHand - reserved - buffer). */
export interface SafetyBufferSetV1 {
  /** Stock keeping unit, unique per tenant */
  sku: string;
  /** Location the buffer applies to */
  location: string;
  /** Buffer before this change */
  previousBuffer: number;
  /** New buffer, zero or more */
  buffer: number;
}

/** A source system reported the absolute on-hand count at a location (stock take, correction): on hand is set to onHand. */
export interface StockAdjustedV1 {
  /** Stock keeping unit, unique per tenant */
  sku: string;
  /** Location counted */
  location: string;
  /** On-hand units before the adjustment */
  previousOnHand: number;
  /** On-hand units after the adjustment, never below what is reserved */
  onHand: number;
}

/** A source system reported the absolute on-hand count at a location (stock take, correction): on hand is set to onHand. v2: the source of the count. */
export interface StockAdjustedV2 {
  /** Stock keeping unit, unique per tenant */
  sku: string;
  /** Location counted */
  location: string;
  /** On-hand units before the adjustment */
  previousOnHand: number;
  /** On-hand units after the adjustment, never below what is reserved */
  onHand: number;
  /** Source system the change came from (netsuite, shopify, sap-b1, dynamics-365, erp-db, api); null in events written before v2 */
  sourceSystem: null | string;
  /** The source's own time of the change, ISO 8601 UTC; null in events written before v2 */
  sourceTimestamp: null | string;
}

/** Goods were received into a location: on-hand quantity of the SKU at that location grows by quantity. */
export interface StockReceivedV1 {
  /** Stock keeping unit, unique per tenant */
  sku: string;
  /** Location (warehouse, store) that received the goods */
  location: string;
  /** Units received, always positive */
  quantity: number;
}

/** Units at a location were set aside for a reservation: reserved grows by quantity, available-to-promise shrinks by it. */
export interface StockReservedV1 {
  /** Stock keeping unit, unique per tenant */
  sku: string;
  /** Location the units are reserved at */
  location: string;
  /** Caller-chosen id of the reservation, unique within the SKU */
  reservationId: string;
  /** Units reserved, always positive */
  quantity: number;
  /** ISO 8601 UTC instant after which ExpireReservations releases the reservation */
  expiresAt: string;
}

/** Units moved between two locations of the same SKU: on hand at from drops, on hand at to grows, by quantity. */
export interface StockTransferredV1 {
  /** Stock keeping unit, unique per tenant */
  sku: string;
  /** Location the units left */
  from: string;
  /** Location the units arrived at, never the same as from */
  to: string;
  /** Units moved, always positive */
  quantity: number;
}

/** The base price line of a SKU starting at effectiveFrom was removed: it no longer prices anything, at any instant. */
export interface BasePriceRemovedV1 {
  /** Price list the line belonged to */
  priceListId: string;
  /** Stock keeping unit */
  sku: string;
  /** ISO 8601 UTC instant the line started from (inclusive): names the line */
  effectiveFrom: string;
  /** The removed line's price, in minor units */
  previousUnitPrice: number;
  /** The removed line's end; null when it was open-ended */
  previousEffectiveTo: null | string;
}

/** The base price line of a SKU starting at effectiveFrom has a new price or a new end; its start is unchanged. */
export interface BasePriceReplacedV1 {
  /** Price list the line belongs to */
  priceListId: string;
  /** Stock keeping unit */
  sku: string;
  /** ISO 8601 UTC instant the line starts from (inclusive): names the line */
  effectiveFrom: string;
  /** New price of one unit in integer minor units of the list's currency (cents), positive */
  unitPrice: number;
  /** New ISO 8601 UTC instant from which the line no longer applies (exclusive); null when open-ended */
  effectiveTo: null | string;
  /** The line's price before, in minor units */
  previousUnitPrice: number;
  /** The line's end before; null when it was open-ended */
  previousEffectiveTo: null | string;
}

/** The list price of a SKU for everyone, effective over [effectiveFrom, effectiveTo). */
export interface BasePriceSetV1 {
  /** Price list the price belongs to */
  priceListId: string;
  /** Stock keeping unit */
  sku: string;
  /** Price of one unit in integer minor units of the list's currency (cents), positive */
  unitPrice: number;
  /** ISO 8601 UTC instant from which the price applies (inclusive) */
  effectiveFrom: string;
  /** ISO 8601 UTC instant from which it no longer applies (exclusive); null when open-ended */
  effectiveTo: null | string;
}

/** A customer-specific override of a SKU's price, effective over [effectiveFrom, effectiveTo); it wins over tiers and the base price. */
export interface CustomerPriceSetV1 {
  /** Price list the price belongs to */
  priceListId: string;
  /** Customer the override is for */
  customerId: string;
  /** Stock keeping unit */
  sku: string;
  /** Price of one unit in integer minor units of the list's currency (cents), positive */
  unitPrice: number;
  /** ISO 8601 UTC instant from which the price applies (inclusive) */
  effectiveFrom: string;
  /** ISO 8601 UTC instant from which it no longer applies (exclusive); null when open-ended */
  effectiveTo: null | string;
}

/** A price list was created for the tenant; prices are set on it afterwards. */
export interface PriceListCreatedV1 {
  /** Caller-chosen id of the price list, unique per tenant */
  priceListId: string;
  /** Display name */
  name: string;
  /** ISO 4217 alphabetic code of every price on the list, e.g. EUR */
  currency: string;
}

/** Quantity breaks for a SKU, for everyone or for one customer, effective over [effectiveFrom, effectiveTo): a quantity pays the unit price of the highest tier it reaches. */
export interface QuantityTiersSetV1 {
  /** Price list the tiers belong to */
  priceListId: string;
  /** Stock keeping unit */
  sku: string;
  /** Customer the tiers are for; null when they apply to everyone */
  customerId: null | string;
  /** The tiers, by strictly increasing minQuantity starting at 1 */
  tiers: Array<QuantityTiersSetV1QuantityTier>;
  /** ISO 8601 UTC instant from which the tiers apply (inclusive) */
  effectiveFrom: string;
  /** ISO 8601 UTC instant from which they no longer apply (exclusive); null when open-ended */
  effectiveTo: null | string;
}

/** One quantity break */
export interface QuantityTiersSetV1QuantityTier {
  /** Smallest quantity the tier applies to; the first tier starts at 1, then strictly increasing */
  minQuantity: number;
  /** Price of one unit in integer minor units (cents), positive */
  unitPrice: number;
}

/** A field's authority rule was removed: every source may change it again (older changes are still refused). */
export interface AuthorityRuleRemovedV1 {
  /** Governed field */
  field: string;
  /** Owners the rule named */
  previousOwners: Array<string>;
}

/** A tenant named the source systems that own a field: changes of it from any other source become conflicts. */
export interface AuthorityRuleSetV1 {
  /** Governed field, <context>.<field> */
  field: string;
  /** Owning source systems */
  owners: Array<string>;
  /** Owners before, null when the field had no rule */
  previousOwners: null | Array<string>;
}

/** The newest version of verity.access.ApiKeyIssued: what deciders and projections see. */
export type ApiKeyIssued = ApiKeyIssuedV1;

/** The newest version of verity.access.ApiKeyRevoked: what deciders and projections see. */
export type ApiKeyRevoked = ApiKeyRevokedV1;

/** The newest version of verity.access.ApiKeyRotated: what deciders and projections see. */
export type ApiKeyRotated = ApiKeyRotatedV1;

/** The newest version of verity.access.WebhookSecretAdded: what deciders and projections see. */
export type WebhookSecretAdded = WebhookSecretAddedV1;

/** The newest version of verity.access.WebhookSecretRemoved: what deciders and projections see. */
export type WebhookSecretRemoved = WebhookSecretRemovedV1;

/** The newest version of verity.access.WebhookSubscriptionCreated: what deciders and projections see. */
export type WebhookSubscriptionCreated = WebhookSubscriptionCreatedV1;

/** The newest version of verity.access.WebhookSubscriptionDeleted: what deciders and projections see. */
export type WebhookSubscriptionDeleted = WebhookSubscriptionDeletedV1;

/** The newest version of verity.access.WebhookSubscriptionDisabled: what deciders and projections see. */
export type WebhookSubscriptionDisabled = WebhookSubscriptionDisabledV1;

/** The newest version of verity.access.WebhookSubscriptionEnabled: what deciders and projections see. */
export type WebhookSubscriptionEnabled = WebhookSubscriptionEnabledV1;

/** The newest version of verity.access.WebhookSubscriptionSecretOverlapEnded: what deciders and projections see. */
export type WebhookSubscriptionSecretOverlapEnded = WebhookSubscriptionSecretOverlapEndedV1;

/** The newest version of verity.access.WebhookSubscriptionSecretRotated: what deciders and projections see. */
export type WebhookSubscriptionSecretRotated = WebhookSubscriptionSecretRotatedV2;

/** The newest version of verity.aliases.AliasConflictDetected: what deciders and projections see. */
export type AliasConflictDetected = AliasConflictDetectedV1;

/** The newest version of verity.aliases.AliasConflictResolved: what deciders and projections see. */
export type AliasConflictResolved = AliasConflictResolvedV1;

/** The newest version of verity.aliases.AliasDeactivated: what deciders and projections see. */
export type AliasDeactivated = AliasDeactivatedV1;

/** The newest version of verity.aliases.AliasRegistered: what deciders and projections see. */
export type AliasRegistered = AliasRegisteredV1;

/** The newest version of verity.aliases.GovernanceSet: what deciders and projections see. */
export type GovernanceSet = GovernanceSetV1;

/** The newest version of verity.catalog.ConflictDetected: what deciders and projections see. */
export type CatalogConflictDetected = CatalogConflictDetectedV1;

/** The newest version of verity.catalog.ConflictResolved: what deciders and projections see. */
export type CatalogConflictResolved = CatalogConflictResolvedV1;

/** The newest version of verity.catalog.ProductDiscontinued: what deciders and projections see. */
export type ProductDiscontinued = ProductDiscontinuedV1;

/** The newest version of verity.catalog.ProductRegistered: what deciders and projections see. */
export type ProductRegistered = ProductRegisteredV2;

/** The newest version of verity.catalog.ProductUpdated: what deciders and projections see. */
export type ProductUpdated = ProductUpdatedV2;

/** The newest version of verity.inventory.ConflictDetected: what deciders and projections see. */
export type InventoryConflictDetected = InventoryConflictDetectedV1;

/** The newest version of verity.inventory.ConflictResolved: what deciders and projections see. */
export type InventoryConflictResolved = InventoryConflictResolvedV1;

/** The newest version of verity.inventory.ReservationCommitted: what deciders and projections see. */
export type ReservationCommitted = ReservationCommittedV1;

/** The newest version of verity.inventory.ReservationExpired: what deciders and projections see. */
export type ReservationExpired = ReservationExpiredV1;

/** The newest version of verity.inventory.ReservationReleased: what deciders and projections see. */
export type ReservationReleased = ReservationReleasedV1;

/** The newest version of verity.inventory.SafetyBufferSet: what deciders and projections see. */
export type SafetyBufferSet = SafetyBufferSetV1;

/** The newest version of verity.inventory.StockAdjusted: what deciders and projections see. */
export type StockAdjusted = StockAdjustedV2;

/** The newest version of verity.inventory.StockReceived: what deciders and projections see. */
export type StockReceived = StockReceivedV1;

/** The newest version of verity.inventory.StockReserved: what deciders and projections see. */
export type StockReserved = StockReservedV1;

/** The newest version of verity.inventory.StockTransferred: what deciders and projections see. */
export type StockTransferred = StockTransferredV1;

/** The newest version of verity.pricing.BasePriceRemoved: what deciders and projections see. */
export type BasePriceRemoved = BasePriceRemovedV1;

/** The newest version of verity.pricing.BasePriceReplaced: what deciders and projections see. */
export type BasePriceReplaced = BasePriceReplacedV1;

/** The newest version of verity.pricing.BasePriceSet: what deciders and projections see. */
export type BasePriceSet = BasePriceSetV1;

/** The newest version of verity.pricing.CustomerPriceSet: what deciders and projections see. */
export type CustomerPriceSet = CustomerPriceSetV1;

/** The newest version of verity.pricing.PriceListCreated: what deciders and projections see. */
export type PriceListCreated = PriceListCreatedV1;

/** The newest version of verity.pricing.QuantityTiersSet: what deciders and projections see. */
export type QuantityTiersSet = QuantityTiersSetV1;

/** The newest version of verity.sources.AuthorityRuleRemoved: what deciders and projections see. */
export type AuthorityRuleRemoved = AuthorityRuleRemovedV1;

/** The newest version of verity.sources.AuthorityRuleSet: what deciders and projections see. */
export type AuthorityRuleSet = AuthorityRuleSetV1;

/** The newest payload of each event, by Avro full name. */
export interface LatestEventPayloads {
  "verity.access.ApiKeyIssued": ApiKeyIssued;
  "verity.access.ApiKeyRevoked": ApiKeyRevoked;
  "verity.access.ApiKeyRotated": ApiKeyRotated;
  "verity.access.WebhookSecretAdded": WebhookSecretAdded;
  "verity.access.WebhookSecretRemoved": WebhookSecretRemoved;
  "verity.access.WebhookSubscriptionCreated": WebhookSubscriptionCreated;
  "verity.access.WebhookSubscriptionDeleted": WebhookSubscriptionDeleted;
  "verity.access.WebhookSubscriptionDisabled": WebhookSubscriptionDisabled;
  "verity.access.WebhookSubscriptionEnabled": WebhookSubscriptionEnabled;
  "verity.access.WebhookSubscriptionSecretOverlapEnded": WebhookSubscriptionSecretOverlapEnded;
  "verity.access.WebhookSubscriptionSecretRotated": WebhookSubscriptionSecretRotated;
  "verity.aliases.AliasConflictDetected": AliasConflictDetected;
  "verity.aliases.AliasConflictResolved": AliasConflictResolved;
  "verity.aliases.AliasDeactivated": AliasDeactivated;
  "verity.aliases.AliasRegistered": AliasRegistered;
  "verity.aliases.GovernanceSet": GovernanceSet;
  "verity.catalog.ConflictDetected": CatalogConflictDetected;
  "verity.catalog.ConflictResolved": CatalogConflictResolved;
  "verity.catalog.ProductDiscontinued": ProductDiscontinued;
  "verity.catalog.ProductRegistered": ProductRegistered;
  "verity.catalog.ProductUpdated": ProductUpdated;
  "verity.inventory.ConflictDetected": InventoryConflictDetected;
  "verity.inventory.ConflictResolved": InventoryConflictResolved;
  "verity.inventory.ReservationCommitted": ReservationCommitted;
  "verity.inventory.ReservationExpired": ReservationExpired;
  "verity.inventory.ReservationReleased": ReservationReleased;
  "verity.inventory.SafetyBufferSet": SafetyBufferSet;
  "verity.inventory.StockAdjusted": StockAdjusted;
  "verity.inventory.StockReceived": StockReceived;
  "verity.inventory.StockReserved": StockReserved;
  "verity.inventory.StockTransferred": StockTransferred;
  "verity.pricing.BasePriceRemoved": BasePriceRemoved;
  "verity.pricing.BasePriceReplaced": BasePriceReplaced;
  "verity.pricing.BasePriceSet": BasePriceSet;
  "verity.pricing.CustomerPriceSet": CustomerPriceSet;
  "verity.pricing.PriceListCreated": PriceListCreated;
  "verity.pricing.QuantityTiersSet": QuantityTiersSet;
  "verity.sources.AuthorityRuleRemoved": AuthorityRuleRemoved;
  "verity.sources.AuthorityRuleSet": AuthorityRuleSet;
}

export type EventFullName = keyof LatestEventPayloads;
