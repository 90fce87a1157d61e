import { z } from 'zod';
import { InvalidConfigurationError } from '../config-error';
import { flag } from '../transport-env';
import type { JwtVerifierOptions } from './jwt';
import { DEFAULT_ADDRESS_LIMIT, DEFAULT_ROLE_LIMITS } from './rate-limit';

const claim = (name: string) => z.string().min(1).default(name);
const perWindow = (fallback: number) => z.coerce.number().int().min(1).max(1_000_000).default(fallback);

/**
 * How the gateway and the query-api check credentials and limit requests, from `VERITY_AUTH_*`
 * and `VERITY_RATE_LIMIT_*`. JWTs are accepted when exactly one key source is set (a JWKS URL, a
 * PEM public key, or an HS256 secret for local use), with the issuer and audience they must name.
 */
export const authEnvSchema = z.object({
  /** JWKS URL of the identity provider, e.g. `https://idp.example.com/.well-known/jwks.json`. */
  VERITY_AUTH_JWKS_URL: z.url().optional(),
  /** PEM (SPKI) public key, RSA (RS256) or EC P-256 (ES256); `\n` escapes are read as line breaks. */
  VERITY_AUTH_JWT_PUBLIC_KEY: z
    .string()
    .transform((pem) => pem.replace(/\\n/g, '\n'))
    .pipe(z.string().regex(/-----BEGIN PUBLIC KEY-----/, 'a PEM public key (-----BEGIN PUBLIC KEY-----)'))
    .optional(),
  /** HS256 shared secret, at least 32 characters: for local use, not for a shared deployment. */
  VERITY_AUTH_JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /** The `iss` tokens must carry; required with a key source. */
  VERITY_AUTH_ISSUER: z.string().min(1).optional(),
  /** The `aud` tokens must include; required with a key source. */
  VERITY_AUTH_AUDIENCE: z.string().min(1).optional(),
  /** Seconds of clock difference tolerated on `exp` and `nbf`. Default 30. */
  VERITY_AUTH_CLOCK_SKEW_S: z.coerce.number().int().min(0).max(300).default(30),
  /** Claim holding the tenant id. Default `tenant`. */
  VERITY_AUTH_TENANT_CLAIM: claim('tenant'),
  /** Claim holding the roles: an array, or a space-separated string. Default `roles`. */
  VERITY_AUTH_ROLES_CLAIM: claim('roles'),
  /** Claim holding the subject, recorded as the actor. Default `sub`. */
  VERITY_AUTH_SUBJECT_CLAIM: claim('sub'),
  /** Requests per window of a credential whose highest role is reader. Default 1000. */
  VERITY_RATE_LIMIT_READER: perWindow(DEFAULT_ROLE_LIMITS.reader),
  /** ... writer. Default 500. */
  VERITY_RATE_LIMIT_WRITER: perWindow(DEFAULT_ROLE_LIMITS.writer),
  /** ... admin. Default 100. */
  VERITY_RATE_LIMIT_ADMIN: perWindow(DEFAULT_ROLE_LIMITS.admin),
  /** Requests per window from one client address. Default 2000. */
  VERITY_RATE_LIMIT_ADDRESS: perWindow(DEFAULT_ADDRESS_LIMIT),
  /** The rate-limit window in seconds. Default 1. */
  VERITY_RATE_LIMIT_WINDOW_S: z.coerce.number().int().min(1).max(3600).default(1),
  /**
   * `/metrics` without a credential, for a scraper on a trusted network. Default false: it
   * needs `platform-operator` or `reader:metrics` (metrics count every tenant's traffic).
   */
  VERITY_METRICS_OPEN: flag,
});
export type AuthEnv = z.infer<typeof authEnvSchema>;

/**
 * The JWT verifier's options, or undefined when no key source is set (API keys only). The rules
 * across variables live here rather than in the schema, so services can compose its shape.
 */
export function jwtVerifierOptions(env: AuthEnv): JwtVerifierOptions | undefined {
  const sources = (['VERITY_AUTH_JWKS_URL', 'VERITY_AUTH_JWT_PUBLIC_KEY', 'VERITY_AUTH_JWT_SECRET'] as const).filter(
    (name) => env[name] !== undefined,
  );
  if (sources.length === 0) return undefined;
  const problems: string[] = [];
  if (sources.length > 1) problems.push(`${sources.join(', ')}: set only one JWT key source`);
  if (env.VERITY_AUTH_ISSUER === undefined) problems.push('VERITY_AUTH_ISSUER: required with a JWT key source');
  if (env.VERITY_AUTH_AUDIENCE === undefined) problems.push('VERITY_AUTH_AUDIENCE: required with a JWT key source');
  if (problems.length) throw new InvalidConfigurationError(problems);
  return {
    ...(env.VERITY_AUTH_JWKS_URL !== undefined ? { jwksUrl: env.VERITY_AUTH_JWKS_URL } : {}),
    ...(env.VERITY_AUTH_JWT_PUBLIC_KEY !== undefined ? { publicKey: env.VERITY_AUTH_JWT_PUBLIC_KEY } : {}),
    ...(env.VERITY_AUTH_JWT_SECRET !== undefined ? { secret: env.VERITY_AUTH_JWT_SECRET } : {}),
    issuer: env.VERITY_AUTH_ISSUER!,
    audience: env.VERITY_AUTH_AUDIENCE!,
    clockSkewS: env.VERITY_AUTH_CLOCK_SKEW_S,
    claims: {
      tenant: env.VERITY_AUTH_TENANT_CLAIM,
      roles: env.VERITY_AUTH_ROLES_CLAIM,
      subject: env.VERITY_AUTH_SUBJECT_CLAIM,
    },
  };
}

/** The rate limits of `rateLimits()`, from the environment. */
export const rateLimitSettings = (env: AuthEnv) => ({
  perRole: {
    reader: env.VERITY_RATE_LIMIT_READER,
    writer: env.VERITY_RATE_LIMIT_WRITER,
    admin: env.VERITY_RATE_LIMIT_ADMIN,
  },
  perAddress: env.VERITY_RATE_LIMIT_ADDRESS,
  windowS: env.VERITY_RATE_LIMIT_WINDOW_S,
});
