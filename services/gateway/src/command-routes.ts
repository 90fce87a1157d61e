import express, { type Express, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import { commandFingerprint, findCommand, type CommandReply, type ContextDefinition } from '@verity/core';
import { HttpProblem, principalOf, tenantOf } from '@verity/service-kit';
import { dispatchCommand, requestEnvelope, type CommandDispatch } from './command-dispatch';
import { commandPermission, isAdminFor, requireCommandPermission } from './command-permission';
import type { OutcomeLookup } from './outcome-lookup';
import { header, headerSchemas } from './request-headers';

export interface CommandRoutesOptions extends CommandDispatch {
  /** The contexts whose commands `POST /v1/commands` takes. */
  contexts: readonly ContextDefinition[];
  /** Contexts whose commands have a route of their own, and that route: `access` → the admin API. */
  elsewhere: ReadonlyMap<string, string>;
  /** Outcomes known within the window: memory, then the read model. */
  outcomes: OutcomeLookup;
  /** Address limit, credential, credential limit: before anything else of a route runs. */
  guard: RequestHandler;
}

/** Maps a rejection code to its HTTP status; anything else a domain rule said no to is 422. */
const rejectionStatus: Record<string, number> = {
  unknown_command_type: 404,
  validation_failed: 400,
  unknown_api_key: 404,
  // Only an alias's owner or an admin may deactivate it or resolve its conflicts.
  not_alias_owner: 403,
};

const idempotencyKeyReused = (commandId: string): HttpProblem =>
  new HttpProblem(
    422,
    'idempotency_key_reused',
    'Idempotency-Key reused',
    `Idempotency-Key ${commandId} was used before for a different command`,
    { commandId },
  );

/** The same answer for the first request and for every repeat of it. */
function answer(res: Response, reply: CommandReply, viaIfMatch: boolean): void {
  if (reply.status === 'rejected') throw rejectionProblem(reply, viaIfMatch);
  res.status(200).set('ETag', `"${reply.version}"`).set('X-Consistency-Token', reply.consistencyToken).json({
    commandId: reply.commandId,
    streamId: reply.streamId,
    version: reply.version,
    events: reply.events,
    consistencyToken: reply.consistencyToken,
  });
}

/** A version conflict is 412 when the client asked with If-Match (RFC 9110), else 409. */
export function rejectionProblem(
  reply: Extract<CommandReply, { status: 'rejected' }>,
  viaIfMatch: boolean,
): HttpProblem {
  const status = reply.code === 'version_conflict' ? (viaIfMatch ? 412 : 409) : (rejectionStatus[reply.code] ?? 422);
  return new HttpProblem(status, reply.code, 'Command rejected', reply.reason, {
    commandId: reply.commandId,
    streamId: reply.streamId,
    currentVersion: reply.version,
    ...reply.details,
  });
}

/** 400 `validation_failed` naming every field the schema refused. */
export function validationProblem(error: z.ZodError, title = 'Invalid command'): HttpProblem {
  return new HttpProblem(
    400,
    'validation_failed',
    title,
    error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    { errors: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  );
}

/**
 * `POST /v1/commands/<context>.<Command>`: credential, tenant, permission, validation, then the
 * command is appended to the context's commands topic and its outcome awaited. A request refused
 * at any step produces nothing.
 */
export function mountCommandRoutes(app: Express, options: CommandRoutesOptions): void {
  app.post('/v1/commands/:type', options.guard, express.json({ limit: '1mb', strict: true }), async (req, res) => {
    const type = String(req.params.type);
    const found = findCommand(options.contexts, type);
    if (!found) {
      const route = options.elsewhere.get(type.slice(0, type.indexOf('.')));
      throw new HttpProblem(
        404,
        'unknown_command_type',
        'Unknown command type',
        route ? `${type} is not sent here: use ${route}` : `no command type ${type}`,
        { commandType: type },
      );
    }
    if (!req.is('application/json')) {
      throw new HttpProblem(
        415,
        'unsupported_media_type',
        'Unsupported media type',
        'send the command as application/json',
      );
    }
    const tenant = tenantOf(req);
    const permission = commandPermission(found.context.name, found.name, req.body);
    const principal = principalOf(req);
    requireCommandPermission(principal, permission);
    const parsed = found.definition.schema.safeParse(req.body);
    if (!parsed.success) throw validationProblem(parsed.error);
    const ifMatch = header(req, 'If-Match', headerSchemas.ifMatch);
    const expectedVersion = ifMatch ?? header(req, 'X-Expected-Version', headerSchemas.expectedVersion);
    const idempotencyKey = header(req, 'Idempotency-Key', headerSchemas.idempotencyKey);
    const envelope = requestEnvelope(req, {
      context: found.context,
      type,
      payload: parsed.data,
      aggregateId: found.definition.aggregateId(parsed.data),
      tenant,
      ...(idempotencyKey !== undefined ? { commandId: idempotencyKey } : {}),
      ...(expectedVersion !== undefined ? { expectedVersion } : {}),
      admin: isAdminFor(principal, permission),
    });
    const { commandId } = envelope;

    const fingerprint = commandFingerprint(envelope);
    // A generated id is new. An outcome no longer known (past the window) is sent again: the
    // processor answers a repeat it still remembers on the stream, and decides anew one it has forgotten.
    const known = idempotencyKey === undefined ? undefined : await options.outcomes.known(commandId);
    if (known) {
      if (known.fingerprint !== fingerprint) throw idempotencyKeyReused(commandId);
      return answer(res, known, ifMatch !== undefined);
    }
    const outcome = await dispatchCommand(options, found.context.name, envelope);
    if (!outcome) {
      res
        .status(202)
        .location(`/v1/commands/${encodeURIComponent(commandId)}`)
        .json({ commandId, status: 'pending' });
      return;
    }
    // A repeated key on the same stream comes back with the original command's reply.
    if (outcome.fingerprint !== fingerprint) throw idempotencyKeyReused(commandId);
    answer(res, outcome, ifMatch !== undefined);
  });

  app.get('/v1/commands/:commandId', options.guard, async (req, res) => {
    const commandId = String(req.params.commandId);
    const tenant = tenantOf(req);
    const status = await options.outcomes.status(commandId, tenant);
    switch (status.kind) {
      case 'outcome': {
        const { fingerprint: _fingerprint, ...outcome } = status.reply;
        res.status(200).json(outcome);
        return;
      }
      case 'pending':
        res.status(200).json({ commandId, status: 'pending' });
        return;
      case 'unknown':
        throw new HttpProblem(404, 'unknown_command', 'Unknown command', `no command ${commandId} is known`, {
          commandId,
        });
      default: {
        const unexpected: never = status;
        throw new Error(`unexpected status ${JSON.stringify(unexpected)}`);
      }
    }
  });
}
