import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { findCommand, type CommandReply, type ContextDefinition } from '@verity/core';
import { apiKeyRolesSchema, type ApiKeyView } from '@verity/domain';
import type { Logger } from '@verity/events';
import {
  HttpProblem,
  issueApiKeyCommand,
  covers,
  parseRoles,
  principalOf,
  requirePermission,
  revokeApiKeyCommand,
  rotateApiKeyCommand,
  type Principal,
  type StateKeyDirectory,
  tenantOf,
} from '@verity/service-kit';
import { dispatchCommand, requestEnvelope, type CommandDispatch } from './command-dispatch';
import { rejectionProblem, validationProblem } from './command-routes';

export const ADMIN_KEYS_PATH = '/v1/admin/api-keys';
const ACCESS = 'access';

export interface AdminKeyRoutesOptions extends CommandDispatch {
  /** The catalogue holding the `access` context. */
  contexts: readonly ContextDefinition[];
  guard: RequestHandler;
  /** The keys this instance authenticates with. */
  keys: StateKeyDirectory<ApiKeyView>;
  logger: Logger;
}

/** What `POST /v1/admin/api-keys` takes. */
export const createKeyBody = z.strictObject({
  roles: apiKeyRolesSchema,
  name: z.string().optional(),
  expiresAt: z.string().optional(),
});
/** What `POST /v1/admin/api-keys/<id>/rotate` may take. */
export const rotateKeyBody = z.strictObject({
  expiresAt: z.string().optional(),
  replacedKeyExpiresAt: z.string().optional(),
});
const revokeBody = z.strictObject({});

/** A key as the admin API shows it: never its hash. */
const publicKey = ({ hash: _hash, ...key }: ApiKeyView) => key;

export function bodyOf<T>(req: Request, schema: z.ZodType<T>): T {
  // A body of another type would be ignored, and with it what the caller asked for. An empty
  // body (`Content-Length: 0`, as clients send a bare POST) has no type and means no options.
  if (req.get('content-length') !== '0' && req.is('application/json') === false)
    throw new HttpProblem(415, 'unsupported_media_type', 'Unsupported media type', 'send application/json');
  const parsed = schema.safeParse(req.body ?? {});
  if (!parsed.success) throw validationProblem(parsed.error, 'Invalid request');
  return parsed.data;
}

/**
 * The first role of `roles` the caller does not hold itself, if any: an access admin hands out
 * only what it holds (an `admin:access` key cannot mint a tenant-wide `admin` key), and only a
 * platform operator makes another. `act-as` is any access admin's to give: it records the person
 * a connector acts for, beside the key, and crosses no tenant.
 */
function ungrantable(principal: Principal, roles: readonly string[]): string | undefined {
  for (const role of roles) {
    const { grants, permissions } = parseRoles([role]);
    if (permissions.has('platform-operator') && !principal.permissions.has('platform-operator')) return role;
    const covered = grants.every((wanted) => covers(principal, wanted));
    if (!covered) return role;
  }
  return undefined;
}

function requireGrantable(principal: Principal, roles: readonly string[]): void {
  const role = ungrantable(principal, roles);
  if (role === undefined) return;
  throw new HttpProblem(
    403,
    'insufficient_permission',
    'Insufficient permission',
    `a key can only be given roles the caller holds: missing permission ${role}`,
    { missingPermission: role },
  );
}

/** No key of that id in the caller's tenant: another tenant's key is as unknown as a missing one. */
function keyOfTenant(directory: StateKeyDirectory<ApiKeyView>, keyId: string, tenant: string): ApiKeyView {
  const key = directory.lookup(keyId);
  if (!key || key.tenant !== tenant)
    throw new HttpProblem(404, 'unknown_api_key', 'Unknown API key', `no API key ${keyId}`, { keyId });
  return key;
}

/**
 * Sends an access command as the caller; answers the rejection, or returns the outcome (undefined
 * while pending). Once decided, `catchUp` brings the directory the change shows in up to date.
 */
export async function sendAccessCommand(
  options: CommandDispatch & { contexts: readonly ContextDefinition[]; logger: Logger },
  req: Request,
  tenant: string,
  command: string,
  input: Record<string, unknown>,
  catchUp: () => Promise<void>,
): Promise<{ commandId: string; reply: CommandReply | undefined }> {
  const found = findCommand(options.contexts, `${ACCESS}.${command}`);
  if (!found) throw new Error(`no access command ${command}`);
  const parsed = found.definition.schema.safeParse(input);
  if (!parsed.success) throw validationProblem(parsed.error, 'Invalid request');
  const envelope = requestEnvelope(req, {
    context: found.context,
    type: `${ACCESS}.${command}`,
    payload: parsed.data,
    aggregateId: found.definition.aggregateId(parsed.data),
    tenant,
    admin: true,
  });
  const reply = await dispatchCommand(options, ACCESS, envelope);
  if (reply?.status === 'rejected') throw rejectionProblem(reply, false);
  // This instance knows the change before it answers: the new key works, the revoked one is refused.
  // Past the timeout the answer stands (the change is decided); the directory follows shortly.
  if (reply)
    await catchUp().catch((error: unknown) => options.logger.warn({ err: error }, 'directory behind an access change'));
  return { commandId: envelope.commandId, reply };
}

/** The answer while a command is still pending: 202 and where its outcome will be. */
export function pending(res: Response, commandId: string, body: Record<string, unknown>): void {
  res
    .status(202)
    .location(`/v1/commands/${encodeURIComponent(commandId)}`)
    .json({ ...body, commandId, status: 'pending' });
}

/**
 * The admin API of API keys (`admin` of the `access` context): issue, list, rotate, revoke, in
 * the credential's tenant. Changes are the access context's commands, sent and answered as every
 * command is; a new key is shown once, in the answer that creates it.
 */
export function mountAdminKeyRoutes(app: Express, options: AdminKeyRoutesOptions): void {
  const guard = [options.guard, requirePermission('admin', ACCESS), express.json({ limit: '64kb', strict: true })];

  const send = (req: Request, tenant: string, command: string, input: Record<string, unknown>) =>
    sendAccessCommand(options, req, tenant, command, input, () => options.keys.catchUp(options.replyTimeoutMs));

  app.post(ADMIN_KEYS_PATH, ...guard, async (req, res) => {
    const tenant = tenantOf(req);
    const body = bodyOf(req, createKeyBody);
    requireGrantable(principalOf(req), body.roles);
    const { key, payload } = await issueApiKeyCommand(body);
    const { commandId, reply } = await send(req, tenant, 'IssueApiKey', payload);
    const issued = options.keys.lookup(key.keyId);
    const shown = { ...(issued ? publicKey(issued) : { keyId: key.keyId, family: key.keyId, tenant }), key: key.key };
    if (!reply) return pending(res, commandId, shown);
    res.status(201).json({ ...shown, commandId });
  });

  app.get(ADMIN_KEYS_PATH, ...guard, (req, res) => {
    const tenant = tenantOf(req);
    const keys = options.keys
      .list()
      .filter((k) => k.tenant === tenant)
      .sort((a, b) => a.issuedAt.localeCompare(b.issuedAt) || a.keyId.localeCompare(b.keyId))
      .map(publicKey);
    res.json({ keys });
  });

  app.post(`${ADMIN_KEYS_PATH}/:keyId/rotate`, ...guard, async (req, res) => {
    const tenant = tenantOf(req);
    const body = bodyOf(req, rotateKeyBody);
    const known = keyOfTenant(options.keys, String(req.params.keyId), tenant);
    // The new key holds the family's roles: rotating is handing them out anew.
    requireGrantable(principalOf(req), known.roles);
    const { key, payload } = await rotateApiKeyCommand(known, body);
    const { commandId, reply } = await send(req, tenant, 'RotateApiKey', payload);
    const issued = options.keys.lookup(key.keyId);
    const shown = {
      ...(issued ? publicKey(issued) : { keyId: key.keyId, family: known.family, tenant }),
      replaces: known.keyId,
      key: key.key,
    };
    if (!reply) return pending(res, commandId, shown);
    res.status(201).json({ ...shown, commandId });
  });

  app.post(`${ADMIN_KEYS_PATH}/:keyId/revoke`, ...guard, async (req, res) => {
    const tenant = tenantOf(req);
    bodyOf(req, revokeBody);
    const known = keyOfTenant(options.keys, String(req.params.keyId), tenant);
    const { commandId, reply } = await send(req, tenant, 'RevokeApiKey', revokeApiKeyCommand(known));
    const revoked = options.keys.lookup(known.keyId);
    const shown = publicKey(revoked ?? known);
    if (!reply) return pending(res, commandId, shown);
    res.status(200).json({ ...shown, commandId });
  });
}
