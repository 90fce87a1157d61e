import type { SecretHash } from './api-key';

/** What the authentication of an API key needs to know of it; never its secret. */
export interface ApiKeyRecord {
  keyId: string;
  tenant: string;
  /** Role grammar of `parseRoles`: `reader|writer|admin[:<context>]`, `act-as`, `platform-operator`. */
  roles: string[];
  name?: string;
  /** ISO 8601; the key is refused from then on. */
  expiresAt?: string;
  /** ISO 8601; set once the key is revoked, refused from then on. */
  revokedAt?: string;
  hash: SecretHash;
}

/**
 * The API keys every instance knows. A key that changes (revoked, given an expiry) is a new
 * record object, so a cache of verified keys can tell it changed by identity.
 */
export interface KeyDirectory {
  lookup(keyId: string): ApiKeyRecord | undefined;
  /** Whether it holds every key written before it started: until then, a missing key may exist. */
  isReady(): boolean;
}
