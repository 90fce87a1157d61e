import type { Request, Response } from 'express';
import type { Counter, Registry } from 'prom-client';
import { sharedCounter, type Logger } from '@verity/events';
import { HttpProblem, sendProblem } from '../problem';
import { createApiKeyCheck, type ApiKeyCheckOptions } from './api-key-check';
import { CredentialError, MalformedCredentialError } from './credential-error';
import type { JwtVerifier } from './jwt';
import type { Principal } from './principal';

declare module 'express-serve-static-core' {
  interface Request {
    /** Who is calling, set by the guard (guard.ts); absent on routes it does not guard. */
    principal?: Principal;
    /** The tenant a platform operator acted for, set by `tenantOf()` when it is not the credential's. */
    actedForTenant?: string;
  }
}

export interface AuthenticateOptions {
  /** Verifies bearer tokens that are not API keys; without it, only API keys are accepted. */
  jwt?: JwtVerifier;
  /** The API keys; without it, only JWTs are accepted. */
  keys?: ApiKeyCheckOptions['keys'];
  /** Verified API keys kept in memory. Default 10,000. */
  keyCacheSize?: number;
  metrics: Registry;
  logger: Logger;
  /** Clock of API-key expiry and revocation; tests bring their own. */
  now?: () => number;
}

const API_KEY_PREFIX = 'vk_';
const REALM = 'Bearer realm="verity"';

/** The one counter of refused credentials, shared by every middleware on the registry. */
export function authFailures(metrics: Registry): Counter<'reason'> {
  return sharedCounter(metrics, {
    name: 'verity_auth_failures_total',
    help: 'Requests refused for their credential, by reason',
    labelNames: ['reason'],
  });
}

type Credential = { kind: 'jwt' | 'api-key'; value: string };

/** The credential a request carries: `Authorization: Bearer` (a `vk_` token is an API key) or `X-Api-Key`. */
function credentialOf(
  authorization: string | undefined,
  apiKey: string | string[] | undefined,
): Credential | undefined {
  if (Array.isArray(apiKey)) throw new MalformedCredentialError('more than one X-Api-Key header');
  if (authorization !== undefined && apiKey !== undefined)
    throw new MalformedCredentialError('both Authorization and X-Api-Key are given');
  if (apiKey !== undefined) return { kind: 'api-key', value: apiKey.trim() };
  if (authorization === undefined) return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(authorization);
  if (!match) throw new MalformedCredentialError('Authorization is not a Bearer credential');
  const value = match[1]!;
  return { kind: value.startsWith(API_KEY_PREFIX) ? 'api-key' : 'jwt', value };
}

/** The credential check of the guard (guard.ts). */
export interface Authenticator {
  /** Who the request's credential proves; a CredentialError when it proves no one. */
  principalOf(req: Request): Promise<Principal>;
  /**
   * Answers a refused credential: 401 problem+json with `WWW-Authenticate` (RFC 6750), 503 when
   * the JWKS or the key directory cannot answer yet. The reason goes to
   * `verity_auth_failures_total` and the log, never the credential.
   */
  refuse(req: Request, res: Response, error: CredentialError): void;
}

/** Checks a request's credential: a JWT, or an API key of the directory. */
export function createAuthenticator(options: AuthenticateOptions): Authenticator {
  const failures = authFailures(options.metrics);
  const apiKeyCheck = options.keys
    ? createApiKeyCheck({
        keys: options.keys,
        ...(options.keyCacheSize !== undefined ? { cacheSize: options.keyCacheSize } : {}),
        ...(options.now ? { now: options.now } : {}),
      })
    : undefined;

  return {
    async principalOf(req) {
      const credential = credentialOf(req.headers.authorization, req.headers['x-api-key']);
      if (!credential) throw new CredentialError('missing_credential', 'no credential');
      if (credential.kind === 'api-key' && apiKeyCheck) return apiKeyCheck(credential.value);
      if (credential.kind === 'jwt' && options.jwt) return options.jwt.verify(credential.value);
      throw new MalformedCredentialError(
        `${credential.kind === 'api-key' ? 'API keys' : 'JWTs'} are not accepted here`,
      );
    },
    refuse(req, res, error) {
      const url = req.originalUrl;
      failures.inc({ reason: error.reason });
      options.logger.info({ reason: error.reason, url }, 'credential refused');
      if (error.reason === 'missing_credential') {
        res.setHeader('WWW-Authenticate', REALM);
        return sendProblem(
          res,
          new HttpProblem(
            401,
            'unauthenticated',
            'Unauthenticated',
            'a credential is required: Authorization: Bearer <token or API key>, or X-Api-Key',
          ),
          url,
        );
      }
      if (error.retriable) {
        res.setHeader('Retry-After', '1');
        return sendProblem(
          res,
          new HttpProblem(
            503,
            'authentication_unavailable',
            'Authentication unavailable',
            'the credential cannot be checked yet; retry shortly',
          ),
          url,
        );
      }
      const description =
        error.reason === 'expired' || error.reason === 'expired_key'
          ? 'the credential has expired'
          : 'the credential is not valid';
      res.setHeader('WWW-Authenticate', `${REALM}, error="invalid_token", error_description="${description}"`);
      sendProblem(res, new HttpProblem(401, 'invalid_credential', 'Invalid credential', description), url);
    },
  };
}
