import { createHash, createPublicKey } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { InvalidOptionError, tenantIdSchema } from '@verity/core';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import {
  AlgorithmNotAllowedError,
  BadSignatureError,
  CredentialError,
  InvalidClaimError,
  MalformedCredentialError,
  MissingClaimError,
  SigningKeysUnavailableError,
  TokenExpiredError,
  TokenNotYetValidError,
  UnknownSigningKeyError,
  WrongAudienceError,
  WrongIssuerError,
} from './credential-error';
import { InvalidRoleError, parseRoles, type Principal } from './principal';

type Jose = typeof import('jose');

export interface JwtVerifierOptions {
  /** Exactly one key source. JWKS URL: keys fetched and cached by jose, refetched for an unknown `kid`. */
  jwksUrl?: string;
  /** PEM (SPKI) public key; RSA → RS256, EC P-256 → ES256. */
  publicKey?: string;
  /** HS256 shared secret, for local use; at least 32 characters. */
  secret?: string;
  /** The `iss` every token must carry. */
  issuer: string;
  /** An `aud` every token must include. */
  audience: string;
  /** Seconds of clock difference tolerated on `exp` and `nbf`. Default 30. */
  clockSkewS?: number;
  /** Algorithms accepted from the JWKS. Default RS256 and ES256. */
  jwksAlgorithms?: string[];
  /** Claim names. Defaults: `tenant`, `roles` (array or space-separated string), `sub`. */
  claims?: { tenant?: string; roles?: string; subject?: string };
  /** Tokens verified, kept until they expire so a client's next request costs no signature check. Default 10,000. */
  cacheSize?: number;
  /** The clock of expiry of remembered tokens; tests bring their own. */
  now?: () => number;
}

/** A token verified once: who it proves, and the window (ms, skew applied) in which it does. */
interface Verified {
  principal: Principal;
  validFrom: number;
  validUntil: number;
}

export interface JwtVerifier {
  /** The principal a token proves; throws a CredentialError naming why it does not. */
  verify(token: string): Promise<Principal>;
}

/**
 * jose 6 is ESM only. Node ≥ 20.19 requires it, but Jest's module registry cannot before Node
 * 24.9 unless it transforms it (jestjs.io/docs/ecmascript-modules#require-of-esm); loading it
 * here, when a verifier is made, keeps every spec that imports the kit but verifies no JWT
 * independent of that.
 */
const loadJose = (): Promise<Jose> => import('jose');

function keyAlgorithm(pem: string): 'RS256' | 'ES256' {
  let key;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new InvalidOptionError('publicKey', `not a PEM public key: ${(error as Error).message}`);
  }
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new InvalidOptionError('publicKey', 'an RSA or EC P-256 key is expected');
}

/** Checks the options up front and builds the key source; the JWKS is fetched at the first token. */
export async function createJwtVerifier(options: JwtVerifierOptions): Promise<JwtVerifier> {
  const sources = [options.jwksUrl, options.publicKey, options.secret].filter((s) => s !== undefined);
  if (sources.length !== 1)
    throw new InvalidOptionError('jwksUrl|publicKey|secret', `exactly one key source is needed, got ${sources.length}`);
  if (!options.issuer) throw new InvalidOptionError('issuer', 'required');
  if (!options.audience) throw new InvalidOptionError('audience', 'required');
  if (options.secret !== undefined && options.secret.length < 32)
    throw new InvalidOptionError('secret', 'an HS256 secret needs at least 32 characters');
  const clockSkewS = options.clockSkewS ?? 30;
  if (!Number.isFinite(clockSkewS) || clockSkewS < 0) throw new InvalidOptionError('clockSkewS', 'a number ≥ 0');
  const claims = { tenant: 'tenant', roles: 'roles', subject: 'sub', ...options.claims };

  const jose = await loadJose();
  // One shape for the three sources: jose asks a function for the key of each token.
  let key: JWTVerifyGetKey;
  let algorithms: string[];
  if (options.jwksUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(options.jwksUrl);
    } catch {
      throw new InvalidOptionError('jwksUrl', 'not a URL');
    }
    key = jose.createRemoteJWKSet(url);
    algorithms = options.jwksAlgorithms ?? ['RS256', 'ES256'];
  } else if (options.publicKey !== undefined) {
    const alg = keyAlgorithm(options.publicKey);
    const publicKey = await jose.importSPKI(options.publicKey, alg);
    key = () => publicKey;
    algorithms = [alg];
  } else {
    const secret = new TextEncoder().encode(options.secret);
    key = () => secret;
    algorithms = ['HS256'];
  }

  // A signature check costs more than the rest of a cached read (measured: HS256 through jose
  // halved the requests/s of a trivial route); a client sends the same token until it expires.
  const now = options.now ?? Date.now;
  const cacheSize = options.cacheSize ?? 10_000;
  if (!Number.isInteger(cacheSize) || cacheSize < 1) throw new InvalidOptionError('cacheSize', 'a positive integer');
  const verified = new LRUCache<string, Verified>({ max: cacheSize });
  const skewMs = clockSkewS * 1000;

  return {
    async verify(token) {
      // Keyed by a digest: the cache holds no usable credential.
      const digest = createHash('sha256').update(token).digest('base64url');
      const known = verified.get(digest);
      if (known) {
        const at = now();
        if (at >= known.validUntil) {
          verified.delete(digest);
          throw new TokenExpiredError();
        }
        if (at >= known.validFrom) return known.principal;
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jose.jwtVerify(token, key, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms,
          clockTolerance: clockSkewS,
          // A token without an expiry would be good forever once leaked.
          requiredClaims: ['exp'],
        }));
      } catch (error) {
        throw credentialErrorOf(error);
      }
      const principal = principalOf(payload, claims);
      verified.set(digest, {
        principal,
        validFrom: payload.nbf === undefined ? 0 : payload.nbf * 1000 - skewMs,
        validUntil: payload.exp! * 1000 + skewMs,
      });
      return principal;
    },
  };
}

/** jose's error codes, mapped to the named reasons the metric and the logs use. */
function credentialErrorOf(error: unknown): CredentialError {
  const { code, claim, reason } = error as { code?: string; claim?: string; reason?: string };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return new TokenExpiredError(error);
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (reason === 'missing' && claim) return new MissingClaimError(claim);
      if (claim === 'nbf') return new TokenNotYetValidError(error);
      if (claim === 'iss') return new WrongIssuerError(error);
      if (claim === 'aud') return new WrongAudienceError(error);
      return new InvalidClaimError(claim ?? 'unknown', `is invalid: ${(error as Error).message}`);
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new BadSignatureError(error);
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new AlgorithmNotAllowedError(error);
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return new UnknownSigningKeyError(error);
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
      return new SigningKeysUnavailableError(error);
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return new MalformedCredentialError('the token is not a well-formed JWT', error);
    default:
      // jose reports a JWKS it could not fetch (refused, non-200) as a plain error.
      if (error instanceof Error && /fetch|JSON Web Key Set/i.test(error.message))
        return new SigningKeysUnavailableError(error);
      return new MalformedCredentialError('the token could not be verified', error);
  }
}

function principalOf(payload: JWTPayload, claims: { tenant: string; roles: string; subject: string }): Principal {
  const subject = payload[claims.subject];
  if (subject === undefined) throw new MissingClaimError(claims.subject);
  if (typeof subject !== 'string' || subject === '') throw new InvalidClaimError(claims.subject, 'is not a string');
  const tenant = payload[claims.tenant];
  if (tenant === undefined) throw new MissingClaimError(claims.tenant);
  if (!tenantIdSchema.safeParse(tenant).success) throw new InvalidClaimError(claims.tenant, 'is not a tenant id');
  const roles = payload[claims.roles];
  if (roles === undefined) throw new MissingClaimError(claims.roles);
  const list =
    typeof roles === 'string'
      ? roles.split(' ').filter(Boolean)
      : Array.isArray(roles) && roles.every((r) => typeof r === 'string')
        ? roles
        : undefined;
  if (list === undefined) throw new InvalidClaimError(claims.roles, 'is neither a string array nor a string');
  try {
    return { kind: 'jwt', subject, tenant: tenant as string, ...parseRoles(list) };
  } catch (error) {
    if (error instanceof InvalidRoleError) throw new CredentialError('invalid_role', error.message, { cause: error });
    throw error;
  }
}
