import { defineContext } from '@verity/core';
import { issueApiKeySchema, revokeApiKeySchema, rotateApiKeySchema, type AccessCommand } from './commands';
import { accessDecider, type KeyFamilyState } from './decider';
import { ACCESS_EVENTS, type AccessEvent } from './events';

/** A key family's stream is `<tenant>/<id of its first key>`; later commands name it, or the first key. */
const familyOf = (payload: Record<string, unknown>, firstKey: 'keyId' | 'replaces'): string =>
  String(payload.family ?? payload[firstKey]);

/**
 * API keys: issuing, rotating and revoking them are commands, so every change to access is an
 * event in the log. The secret never reaches a command: only its salted hash does.
 */
export const accessContext = defineContext<KeyFamilyState, AccessCommand, AccessEvent>({
  name: 'access',
  commands: {
    IssueApiKey: { schema: issueApiKeySchema, aggregateId: (payload) => String(payload.keyId) },
    RotateApiKey: { schema: rotateApiKeySchema, aggregateId: (payload) => familyOf(payload, 'replaces') },
    RevokeApiKey: { schema: revokeApiKeySchema, aggregateId: (payload) => familyOf(payload, 'keyId') },
  },
  decider: accessDecider,
  events: ACCESS_EVENTS,
});

export { accessDecider, type ApiKeyState, type KeyFamilyState } from './decider';
export { apiKeysOf, type ApiKeyView } from './api-keys';
export { apiKeyIdSchema, apiKeyRolesSchema } from './commands';
export { ROLE_GRAMMAR, ROLE_PATTERN } from './roles';
export type { AccessCommand } from './commands';
export type { AccessEvent } from './events';
