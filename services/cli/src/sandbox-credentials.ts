import { randomBytes } from 'node:crypto';

/** The HS256 settings a sandbox gives its platform, so a test or bench can sign its own tokens. */
export const SANDBOX_ISSUER = 'verity-sandbox';
export const SANDBOX_AUDIENCE = 'verity';

/** `VERITY_AUTH_*` of a sandbox: a fresh HS256 secret, no other key source. */
export function sandboxAuthEnv(): NodeJS.ProcessEnv {
  return {
    VERITY_AUTH_JWT_SECRET: randomBytes(32).toString('base64url'),
    VERITY_AUTH_JWKS_URL: undefined,
    VERITY_AUTH_JWT_PUBLIC_KEY: undefined,
    VERITY_AUTH_ISSUER: SANDBOX_ISSUER,
    VERITY_AUTH_AUDIENCE: SANDBOX_AUDIENCE,
  };
}

export interface TokenClaims {
  /** Default `default`. */
  tenant?: string;
  /** Default `['admin']`: every context. */
  roles?: string[];
  /** Recorded as the actor. Default `test-client`. */
  subject?: string;
  /** Seconds from now; negative for a token that has expired. Default 3600. */
  expiresInS?: number;
  /** Default the sandbox's. */
  audience?: string;
  issuer?: string;
}

/** A JWT signed with the platform's HS256 secret (`env.VERITY_AUTH_JWT_SECRET`). */
export async function mintToken(env: NodeJS.ProcessEnv, claims: TokenClaims = {}): Promise<string> {
  const secret = env.VERITY_AUTH_JWT_SECRET;
  if (!secret) throw new Error('VERITY_AUTH_JWT_SECRET is not set: no sandbox credentials');
  const { SignJWT } = await import('jose');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ tenant: claims.tenant ?? 'default', roles: claims.roles ?? ['admin'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.subject ?? 'test-client')
    .setIssuer(claims.issuer ?? env.VERITY_AUTH_ISSUER ?? SANDBOX_ISSUER)
    .setAudience(claims.audience ?? env.VERITY_AUTH_AUDIENCE ?? SANDBOX_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + (claims.expiresInS ?? 3600))
    .sign(new TextEncoder().encode(secret));
}

/** `Authorization: Bearer <token>` for a client of `tenant` holding `roles`. */
export async function bearer(env: NodeJS.ProcessEnv, claims: TokenClaims = {}): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await mintToken(env, claims)}` };
}
