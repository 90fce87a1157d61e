import { VerityError } from '@verity/core';

/** The poller's configuration API refused a request: its problem's code and detail, as it said them. */
export class PollerApiError extends VerityError {
  constructor(status: number, code: string, detail: string) {
    super(code, `the poller answered ${status}: ${detail}`, { context: { status } });
  }
}

/** The poller could not be reached at VERITY_POLLER_URL. */
export class PollerUnreachableError extends VerityError {
  constructor(url: string, cause: unknown) {
    super('poller_unreachable', `no poller at ${url} (VERITY_POLLER_URL): ${(cause as Error).message}`, { cause });
  }
}

/** Neither VERITY_API_KEY nor the local admin key file holds a credential. */
export class NoCredentialError extends VerityError {
  constructor(file: string) {
    super(
      'no_credential',
      `no credential: set VERITY_API_KEY (an API key or a JWT of the tenant's admin) or run verity up (${file})`,
    );
  }
}
