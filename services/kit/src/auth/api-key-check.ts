import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { InvalidOptionError } from '@verity/core';
import { parseApiKey, verifySecret, type SecretHash } from './api-key';
import { CredentialError, MalformedCredentialError } from './credential-error';
import type { ApiKeyRecord, KeyDirectory } from './key-directory';
import { InvalidRoleError, parseRoles, type Principal } from './principal';

export interface ApiKeyCheckOptions {
  keys: KeyDirectory;
  /** Keys whose secret was verified, kept to spare scrypt on every request. Default 10,000. */
  cacheSize?: number;
  /** The clock expiry and revocation times are compared with; tests bring their own. */
  now?: () => number;
  /** The secret check; the scrypt one of api-key.ts unless a test counts calls. */
  verify?: (secret: string, hash: SecretHash) => Promise<boolean>;
}

/** Whether an ISO time is reached; a time that does not parse counts as reached, so a bad record fails closed. */
const reached = (iso: string | undefined, now: number): boolean => iso !== undefined && !(Date.parse(iso) > now);

/**
 * Checks API keys against the directory. A verified key is remembered by the sha256 of the whole
 * key (never the key itself) with the directory record it was verified against; every use looks
 * the record up again, so a revocation or expiry the directory learns of applies to the next
 * request, and a changed record (a new object) is verified afresh.
 */
export function createApiKeyCheck(options: ApiKeyCheckOptions): (key: string) => Promise<Principal> {
  const max = options.cacheSize ?? 10_000;
  if (!Number.isInteger(max) || max < 1) throw new InvalidOptionError('cacheSize', 'a positive integer');
  const now = options.now ?? Date.now;
  const verify = options.verify ?? verifySecret;
  const verified = new LRUCache<string, ApiKeyRecord>({ max });
  // Checks under way: a burst of requests with a key not yet verified costs one scrypt, not one each.
  const pending = new Map<string, { record: ApiKeyRecord; ok: Promise<boolean> }>();
  const check = (digest: string, secret: string, record: ApiKeyRecord): Promise<boolean> => {
    const running = pending.get(digest);
    if (running?.record === record) return running.ok;
    const ok = verify(secret, record.hash).finally(() => {
      if (pending.get(digest)?.ok === ok) pending.delete(digest);
    });
    pending.set(digest, { record, ok });
    return ok;
  };

  return async (key) => {
    const parsed = parseApiKey(key);
    if (!parsed) throw new MalformedCredentialError('not an API key');
    const record = options.keys.lookup(parsed.keyId);
    if (!record) {
      if (!options.keys.isReady())
        throw new CredentialError('keys_not_ready', 'the key directory is still loading', { retriable: true });
      throw new CredentialError('unknown_key', 'no such API key');
    }
    if (reached(record.revokedAt, now())) throw new CredentialError('revoked_key', 'the API key is revoked');
    if (reached(record.expiresAt, now())) throw new CredentialError('expired_key', 'the API key has expired');

    const digest = createHash('sha256').update(key).digest('base64url');
    const known = verified.get(digest);
    if (known !== record && !(await check(digest, parsed.secret, record)))
      throw new CredentialError('wrong_secret', 'wrong API key secret');
    verified.set(digest, record);

    try {
      return { kind: 'api-key', subject: record.keyId, tenant: record.tenant, ...parseRoles(record.roles) };
    } catch (error) {
      if (error instanceof InvalidRoleError) throw new CredentialError('invalid_role', error.message, { cause: error });
      throw error;
    }
  };
}
