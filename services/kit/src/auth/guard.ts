import type { RequestHandler } from 'express';
import type { Authenticator } from './authenticate';
import { CredentialError } from './credential-error';
import type { RateLimits } from './rate-limit';

/**
 * What every guarded route runs first, as one handler: the client address's limit, the
 * credential check (`req.principal`), then the credential's limit. The address is limited before
 * the check, so a flood of wrong secrets costs a Redis token each, not a scrypt each; a refused
 * credential's 401 carries the address's `RateLimit-*`. One handler rather than three in a
 * router: it runs on every request of the query API and the gateway.
 */
export function createGuard(limits: RateLimits, authenticator: Authenticator): RequestHandler {
  return async (req, res, next) => {
    const address = await limits.address(req);
    if (!address.take.allowed) {
      limits.admit(req, res, [address]);
      return;
    }
    try {
      req.principal = await authenticator.principalOf(req);
    } catch (error) {
      if (!(error instanceof CredentialError)) throw error;
      limits.admit(req, res, [address]);
      return authenticator.refuse(req, res, error);
    }
    const credential = await limits.credential(req.principal);
    if (limits.admit(req, res, [address, credential])) next();
  };
}
