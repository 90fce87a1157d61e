import { hashSecret, newApiKey, type NewApiKey } from './api-key';

/** A key of a family, as the access commands that change it name it. */
export interface KeyInFamily {
  keyId: string;
  /** The family's first key id: the stream the commands target. */
  family: string;
}

/** A new key and the payload of the access command that makes it valid; the key is shown once, the payload holds its hash. */
export interface NewKeyCommand {
  key: NewApiKey;
  payload: Record<string, unknown>;
}

/**
 * The payload of `access.IssueApiKey` for a fresh key holding `roles`. The access context's
 * schema checks it; `verity keys create` and the gateway's admin API send the same.
 */
export async function issueApiKeyCommand(input: {
  roles: readonly string[];
  name?: string;
  expiresAt?: string;
}): Promise<NewKeyCommand> {
  const key = newApiKey();
  return {
    key,
    payload: {
      keyId: key.keyId,
      roles: [...input.roles],
      secretHash: await hashSecret(key.secret),
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.expiresAt === undefined ? {} : { expiresAt: input.expiresAt }),
    },
  };
}

/** The payload of `access.RotateApiKey`: a fresh key beside `replaced`, which may be given an earlier expiry. */
export async function rotateApiKeyCommand(
  replaced: KeyInFamily,
  input: { expiresAt?: string; replacedKeyExpiresAt?: string },
): Promise<NewKeyCommand> {
  const key = newApiKey();
  return {
    key,
    payload: {
      family: replaced.family,
      replaces: replaced.keyId,
      keyId: key.keyId,
      secretHash: await hashSecret(key.secret),
      ...(input.expiresAt === undefined ? {} : { expiresAt: input.expiresAt }),
      ...(input.replacedKeyExpiresAt === undefined ? {} : { replacedKeyExpiresAt: input.replacedKeyExpiresAt }),
    },
  };
}

/** The payload of `access.RevokeApiKey`. */
export const revokeApiKeyCommand = (key: KeyInFamily): Record<string, unknown> => ({
  family: key.family,
  keyId: key.keyId,
});
