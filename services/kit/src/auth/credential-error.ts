import { VerityError } from '@verity/core';

/**
 * Why a credential was refused: the `reason` label of `verity_auth_failures_total`. Never sent to
 * the caller beyond `invalid_token`, so a probe learns nothing of which check failed.
 */
export type AuthFailureReason =
  | 'missing_credential'
  | 'malformed_credential'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'bad_signature'
  | 'wrong_algorithm'
  | 'unknown_signing_key'
  | 'signing_keys_unavailable'
  | 'missing_claim'
  | 'invalid_claim'
  | 'invalid_role'
  | 'unknown_key'
  | 'wrong_secret'
  | 'revoked_key'
  | 'expired_key'
  | 'keys_not_ready';

/** A credential that does not prove who is calling. */
export class CredentialError extends VerityError {
  constructor(
    readonly reason: AuthFailureReason,
    message: string,
    options: { cause?: unknown; retriable?: boolean } = {},
  ) {
    super(`credential_${reason}`, message, { ...options, context: { reason } });
  }
}

export class TokenExpiredError extends CredentialError {
  constructor(cause?: unknown) {
    super('expired', 'the token has expired', { cause });
  }
}

export class TokenNotYetValidError extends CredentialError {
  constructor(cause?: unknown) {
    super('not_yet_valid', 'the token is not valid yet (nbf)', { cause });
  }
}

export class WrongIssuerError extends CredentialError {
  constructor(cause?: unknown) {
    super('wrong_issuer', 'the token was issued by another issuer', { cause });
  }
}

export class WrongAudienceError extends CredentialError {
  constructor(cause?: unknown) {
    super('wrong_audience', 'the token is meant for another audience', { cause });
  }
}

export class BadSignatureError extends CredentialError {
  constructor(cause?: unknown) {
    super('bad_signature', 'the token signature does not verify', { cause });
  }
}

export class AlgorithmNotAllowedError extends CredentialError {
  constructor(cause?: unknown) {
    super('wrong_algorithm', 'the token is signed with an algorithm not accepted here', { cause });
  }
}

export class UnknownSigningKeyError extends CredentialError {
  constructor(cause?: unknown) {
    super('unknown_signing_key', 'no key of the key set matches the token', { cause });
  }
}

/** The JWKS could not be fetched: the token may be good, so this is the server's failure (503), retriable. */
export class SigningKeysUnavailableError extends CredentialError {
  constructor(cause?: unknown) {
    super('signing_keys_unavailable', 'the signing keys could not be fetched', { cause, retriable: true });
  }
}

export class MalformedCredentialError extends CredentialError {
  constructor(detail: string, cause?: unknown) {
    super('malformed_credential', detail, { cause });
  }
}

export class MissingClaimError extends CredentialError {
  constructor(readonly claim: string) {
    super('missing_claim', `the token has no ${JSON.stringify(claim)} claim`);
  }
}

export class InvalidClaimError extends CredentialError {
  constructor(
    readonly claim: string,
    detail: string,
  ) {
    super('invalid_claim', `the token's ${JSON.stringify(claim)} claim ${detail}`);
  }
}
