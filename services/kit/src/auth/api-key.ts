import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** How a key's secret is kept: a scrypt hash and its salt, both base64url. The secret itself never is. */
export interface SecretHash {
  salt: string;
  hash: string;
}

/** A key as it is handed out once, at creation or rotation. */
export interface NewApiKey {
  /** Public: names the key in lists, logs and events, and is the actor of the commands it sends. */
  keyId: string;
  /** Secret: shown once, then only its hash exists. */
  secret: string;
  /** `vk_<keyId>_<secret>`: what a client sends as `Authorization: Bearer` or `X-Api-Key`. */
  key: string;
}

/** scrypt's cost (N = 2^14, r = 8, p = 1: about 16 MiB and a few tens of ms per check), as OWASP recommends at least. */
const SCRYPT: ScryptOptions = { N: 2 ** 14, r: 8, p: 1 };
const HASH_BYTES = 32;
const SALT_BYTES = 16;
const SECRET_BYTES = 32;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const KEY_ID_LENGTH = 20;
/** 20 base32 characters (100 bits) and 32 bytes of base64url (43 characters, no padding). */
const KEY_PATTERN = /^vk_([a-z2-7]{20})_([A-Za-z0-9_-]{43})$/;

/** 20 random base32 characters: 5 bits each from the low bits of a byte, so every character is equally likely. */
function newKeyId(): string {
  return [...randomBytes(KEY_ID_LENGTH)].map((byte) => BASE32[byte & 31]).join('');
}

export function newApiKey(): NewApiKey {
  const keyId = newKeyId();
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { keyId, secret, key: `vk_${keyId}_${secret}` };
}

function derive(secret: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, HASH_BYTES, SCRYPT, (error, hash) => (error ? reject(error) : resolve(hash))),
  );
}

/** A salted scrypt hash of the secret, with a fresh salt. */
export async function hashSecret(secret: string): Promise<SecretHash> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(secret, salt);
  return { salt: salt.toString('base64url'), hash: hash.toString('base64url') };
}

/** Whether the secret is the one hashed; compared in constant time so timing tells nothing of the hash. */
export async function verifySecret(secret: string, stored: SecretHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64url');
  if (expected.length !== HASH_BYTES) return false;
  const actual = await derive(secret, Buffer.from(stored.salt, 'base64url'));
  return timingSafeEqual(actual, expected);
}

/** The key id and secret of a key string; undefined for anything else (a JWT, a typo), so callers can try other schemes. */
export function parseApiKey(key: string): { keyId: string; secret: string } | undefined {
  const match = KEY_PATTERN.exec(key);
  return match ? { keyId: match[1]!, secret: match[2]! } : undefined;
}
