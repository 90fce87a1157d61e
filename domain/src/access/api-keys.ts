import { parseStreamId } from '@verity/core';
import type { KeyFamilyState } from './decider';

/**
 * One key as a key directory holds it: what authentication needs (the service kit's
 * `ApiKeyRecord`: tenant, roles, expiry, revocation, hash) plus its family and time of issue.
 * Optional fields are absent, not null.
 */
export interface ApiKeyView {
  keyId: string;
  /** The family's first key id: the stream `<tenant>/<family>` a rotation or revocation targets. */
  family: string;
  tenant: string;
  roles: string[];
  name?: string;
  issuedAt: string;
  expiresAt?: string;
  revokedAt?: string;
  hash: { salt: string; hash: string };
}

/** The keys of a key family's snapshot (state of stream `streamId`); none before the first is issued. */
export function apiKeysOf(streamId: string, state: unknown): ApiKeyView[] {
  const family = state as KeyFamilyState;
  const stream = parseStreamId(streamId);
  if (!stream || family.family === null) return [];
  return family.keys.map((key) => ({
    keyId: key.keyId,
    family: family.family!,
    tenant: stream.tenant,
    roles: [...family.roles],
    ...(family.name === null ? {} : { name: family.name }),
    issuedAt: key.issuedAt,
    ...(key.expiresAt === null ? {} : { expiresAt: key.expiresAt }),
    ...(key.revokedAt === null ? {} : { revokedAt: key.revokedAt }),
    hash: { ...key.secretHash },
  }));
}
