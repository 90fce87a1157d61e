import { DomainRejection, type Decider } from '@verity/core';
import type { AccessCommand, IssueApiKeyData, RevokeApiKeyData, RotateApiKeyData } from './commands';
import type { AccessEvent, ApiKeyIssued, ApiKeyRevoked, ApiKeyRotated } from './events';
import {
  addWebhookSecret,
  evolveWebhookSecrets,
  removeWebhookSecret,
  type WebhookSecretsState,
} from './webhook-secrets';
import {
  decideWebhookSubscription,
  evolveWebhookSubscription,
  type WebhookSubscriptionState,
} from './webhook-subscriptions';

/** One key of a family. Instants are ISO 8601 in UTC; null where there is none. */
export interface ApiKeyState {
  keyId: string;
  issuedAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  secretHash: { salt: string; hash: string };
}

/**
 * A key family, the aggregate behind stream `<tenant>/<id of its first key>`: the keys a
 * rotation chain produced, holding the same roles. `family` is null until the first key is issued.
 */
export interface KeyFamilyState {
  family: string | null;
  name: string | null;
  roles: string[];
  /** In the order issued. */
  keys: ApiKeyState[];
  /** Set instead of a family on a stream `<tenant>/webhooks-<source>`: that source's webhook secrets. */
  webhookSecrets?: WebhookSecretsState;
  /** Set instead of a family on a stream `<tenant>/<subscriptionId>`: an outbound webhook subscription. */
  webhookSubscription?: WebhookSubscriptionState;
}

const initialState = (): KeyFamilyState => ({ family: null, name: null, roles: [], keys: [] });

/** An expiry must lie ahead: a key that expires as it is issued is a mistake, not a key. */
function requireFuture(expiresAt: string | undefined, now: Date): void {
  if (expiresAt !== undefined && Date.parse(expiresAt) <= now.getTime())
    throw new DomainRejection('expiry_not_in_future', `expiry ${expiresAt} is not in the future`, { expiresAt });
}

/** The family's key, usable or not; unknown_api_key when the family has none of that id. */
function keyOf(state: KeyFamilyState, keyId: string): ApiKeyState {
  const key = state.keys.find((k) => k.keyId === keyId);
  if (!key) throw new DomainRejection('unknown_api_key', `no API key ${keyId} in this key family`, { keyId });
  return key;
}

function issue(data: IssueApiKeyData, state: KeyFamilyState, now: Date): ApiKeyIssued[] {
  if (state.family !== null)
    throw new DomainRejection('api_key_exists', `API key ${data.keyId} exists`, { keyId: data.keyId });
  requireFuture(data.expiresAt, now);
  return [
    {
      type: 'ApiKeyIssued',
      data: {
        keyId: data.keyId,
        name: data.name ?? null,
        roles: data.roles,
        issuedAt: now.toISOString(),
        expiresAt: data.expiresAt ?? null,
        secretHash: data.secretHash,
      },
    },
  ];
}

function rotate(data: RotateApiKeyData, state: KeyFamilyState, now: Date): ApiKeyRotated[] {
  const replaced = keyOf(state, data.replaces);
  if (replaced.revokedAt !== null)
    throw new DomainRejection('api_key_revoked', `API key ${data.replaces} is revoked`, { keyId: data.replaces });
  if (replaced.expiresAt !== null && Date.parse(replaced.expiresAt) <= now.getTime())
    throw new DomainRejection('api_key_expired', `API key ${data.replaces} expired at ${replaced.expiresAt}`, {
      keyId: data.replaces,
      expiresAt: replaced.expiresAt,
    });
  if (state.keys.some((k) => k.keyId === data.keyId))
    throw new DomainRejection('api_key_exists', `API key ${data.keyId} exists`, { keyId: data.keyId });
  requireFuture(data.expiresAt, now);
  requireFuture(data.replacedKeyExpiresAt, now);
  // A rotation shortens the old key's life; it never lengthens it.
  if (
    data.replacedKeyExpiresAt !== undefined &&
    replaced.expiresAt !== null &&
    Date.parse(data.replacedKeyExpiresAt) > Date.parse(replaced.expiresAt)
  )
    throw new DomainRejection(
      'expiry_later_than_current',
      `API key ${data.replaces} expires at ${replaced.expiresAt}, before ${data.replacedKeyExpiresAt}`,
      { keyId: data.replaces, expiresAt: replaced.expiresAt },
    );
  return [
    {
      type: 'ApiKeyRotated',
      data: {
        keyId: data.keyId,
        replaces: data.replaces,
        issuedAt: now.toISOString(),
        expiresAt: data.expiresAt ?? null,
        replacedKeyExpiresAt: data.replacedKeyExpiresAt ?? null,
        secretHash: data.secretHash,
      },
    },
  ];
}

function revoke(data: RevokeApiKeyData, state: KeyFamilyState, now: Date): ApiKeyRevoked[] {
  const key = keyOf(state, data.keyId);
  if (key.revokedAt !== null)
    throw new DomainRejection('api_key_revoked', `API key ${data.keyId} is revoked`, {
      keyId: data.keyId,
      revokedAt: key.revokedAt,
    });
  return [{ type: 'ApiKeyRevoked', data: { keyId: data.keyId, revokedAt: now.toISOString() } }];
}

function decide(command: AccessCommand, state: KeyFamilyState): AccessEvent[] {
  const { now } = command.metadata;
  switch (command.type) {
    case 'IssueApiKey':
      return issue(command.data, state, now);
    case 'RotateApiKey':
      return rotate(command.data, state, now);
    case 'RevokeApiKey':
      return revoke(command.data, state, now);
    case 'AddWebhookSecret':
      return addWebhookSecret(command.data, state.webhookSecrets, now);
    case 'RemoveWebhookSecret':
      return removeWebhookSecret(command.data, state.webhookSecrets, now);
    case 'CreateWebhookSubscription':
    case 'RotateWebhookSubscriptionSecret':
    case 'EndWebhookSubscriptionSecretOverlap':
    case 'DisableWebhookSubscription':
    case 'EnableWebhookSubscription':
    case 'DeleteWebhookSubscription':
      return decideWebhookSubscription(command, state.webhookSubscription);
    default: {
      const unknownCommand: never = command;
      throw new DomainRejection(
        'unknown_command_type',
        `unknown access command ${String((unknownCommand as AccessCommand).type)}`,
      );
    }
  }
}

const withKey = (state: KeyFamilyState, keyId: string, change: Partial<ApiKeyState>): ApiKeyState[] =>
  state.keys.map((k) => (k.keyId === keyId ? { ...k, ...change } : k));

function evolve(state: KeyFamilyState, event: AccessEvent): KeyFamilyState {
  switch (event.type) {
    case 'ApiKeyIssued': {
      const { keyId, name, roles, issuedAt, expiresAt, secretHash } = event.data;
      return {
        family: keyId,
        name,
        roles: [...roles],
        keys: [{ keyId, issuedAt, expiresAt, revokedAt: null, secretHash: { ...secretHash } }],
      };
    }
    case 'ApiKeyRotated': {
      const { keyId, replaces, issuedAt, expiresAt, replacedKeyExpiresAt, secretHash } = event.data;
      const keys =
        replacedKeyExpiresAt === null ? state.keys : withKey(state, replaces, { expiresAt: replacedKeyExpiresAt });
      return {
        ...state,
        keys: [...keys, { keyId, issuedAt, expiresAt, revokedAt: null, secretHash: { ...secretHash } }],
      };
    }
    case 'ApiKeyRevoked':
      return { ...state, keys: withKey(state, event.data.keyId, { revokedAt: event.data.revokedAt }) };
    case 'WebhookSecretAdded':
    case 'WebhookSecretRemoved':
      return { ...state, webhookSecrets: evolveWebhookSecrets(state.webhookSecrets, event) };
    case 'WebhookSubscriptionCreated':
    case 'WebhookSubscriptionSecretRotated':
    case 'WebhookSubscriptionSecretOverlapEnded':
    case 'WebhookSubscriptionDisabled':
    case 'WebhookSubscriptionEnabled':
    case 'WebhookSubscriptionDeleted': {
      const webhookSubscription = evolveWebhookSubscription(state.webhookSubscription, event);
      return webhookSubscription ? { ...state, webhookSubscription } : state;
    }
    default: {
      const unknownEvent: never = event;
      throw new Error(`unknown access event ${String((unknownEvent as AccessEvent).type)}`);
    }
  }
}

export const accessDecider: Decider<KeyFamilyState, AccessCommand, AccessEvent> = { decide, evolve, initialState };
