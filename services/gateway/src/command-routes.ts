import { randomUUID } from 'node:crypto';
import express, { type Express, type Request, type Response } from 'express';
import { z } from 'zod';
import {
  commandFingerprint,
  findCommand,
  streamIdOf,
  tenantIdSchema,
  SOURCE_SYSTEMS,
  type CommandEnvelope,
  type CommandReply,
  type ContextDefinition,
} from '@verity/core';
import { contextTopics, type RdProducer } from '@verity/events';
import { HttpProblem } from '@verity/service-kit';
import type { OutcomeLookup } from './outcome-lookup';
import type { RecentReplies } from './recent-replies';

export interface CommandRoutesOptions {
  contexts: readonly ContextDefinition[];
  producer: RdProducer;
  /** Where replies arrive: a request waits there for its command's. */
  replies: RecentReplies;
  /** Outcomes known within the window: memory, then the read model. */
  outcomes: OutcomeLookup;
  topicPrefix: string;
  replyTimeoutMs: number;
}

const headerSchemas = {
  tenant: tenantIdSchema,
  idempotencyKey: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,200}$/, 'Idempotency-Key: 1 to 200 of letters, digits and . _ : -'),
  ifMatch: z
    .string()
    .regex(/^"\d+"$/, 'If-Match: a quoted stream version such as "3"')
    .transform((v) => Number(v.slice(1, -1))),
  expectedVersion: z.string().regex(/^\d+$/, 'X-Expected-Version: a stream version such as 3').transform(Number),
  sourceSystem: z.enum(SOURCE_SYSTEMS),
  sourceTimestamp: z.iso.datetime({ offset: true }),
};

function header<T>(req: Request, name: string, schema: z.ZodType<T>): T | undefined {
  const raw = req.get(name);
  if (raw === undefined) return undefined;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new HttpProblem(
      400,
      'invalid_header',
      'Invalid header',
      `${name}: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      { header: name },
    );
  }
  return parsed.data;
}

/** Maps a rejection code to its HTTP status; anything else a domain rule said no to is 422. */
const rejectionStatus: Record<string, number> = {
  unknown_command_type: 404,
  validation_failed: 400,
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

/** `POST /v1/commands/<context>.<Command>`: validate, append to the context's commands topic, wait for the outcome. */
export function mountCommandRoutes(app: Express, options: CommandRoutesOptions): void {
  app.post('/v1/commands/:type', express.json({ limit: '1mb', strict: true }), async (req, res) => {
    const type = req.params.type;
    const found = findCommand(options.contexts, type);
    if (!found)
      throw new HttpProblem(404, 'unknown_command_type', 'Unknown command type', `no command type ${type}`, {
        commandType: type,
      });
    if (!req.is('application/json')) {
      throw new HttpProblem(
        415,
        'unsupported_media_type',
        'Unsupported media type',
        'send the command as application/json',
      );
    }
    const parsed = found.definition.schema.safeParse(req.body);
    if (!parsed.success) {
      throw new HttpProblem(
        400,
        'validation_failed',
        'Invalid command',
        parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
        {
          errors: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        },
      );
    }
    const tenant = header(req, 'X-Tenant-Id', headerSchemas.tenant) ?? 'default';
    const ifMatch = header(req, 'If-Match', headerSchemas.ifMatch);
    const expectedVersion = ifMatch ?? header(req, 'X-Expected-Version', headerSchemas.expectedVersion);
    const idempotencyKey = header(req, 'Idempotency-Key', headerSchemas.idempotencyKey);
    const commandId = idempotencyKey ?? randomUUID();
    const now = new Date().toISOString();
    const envelope: CommandEnvelope = {
      commandId,
      type,
      streamId: streamIdOf(tenant, found.definition.aggregateId(parsed.data)),
      ...(expectedVersion !== undefined ? { expectedVersion } : {}),
      payload: parsed.data,
      metadata: {
        tenant,
        actor: req.get('X-Actor') ?? 'anonymous',
        correlationId: req.get('X-Correlation-Id') ?? commandId,
        sourceSystem: header(req, 'X-Source-System', headerSchemas.sourceSystem) ?? 'api',
        sourceTimestamp: header(req, 'X-Source-Timestamp', headerSchemas.sourceTimestamp) ?? now,
        receivedAt: now,
      },
    };

    const fingerprint = commandFingerprint(envelope);
    // A generated id is new. An outcome no longer known (past the window) is sent again: the
    // processor answers a repeat it still remembers on the stream, and decides anew one it has forgotten.
    const known = idempotencyKey === undefined ? undefined : await options.outcomes.known(commandId);
    if (known) {
      if (known.fingerprint !== fingerprint) throw idempotencyKeyReused(commandId);
      return answer(res, known, ifMatch !== undefined);
    }
    const reply = options.replies.expect(commandId, tenant, options.replyTimeoutMs);
    await options.producer.send({
      topic: contextTopics(found.context.name, options.topicPrefix).commands,
      messages: [{ key: envelope.streamId, value: JSON.stringify(envelope) }],
    });
    const outcome = await reply;
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

  app.get('/v1/commands/:commandId', async (req, res) => {
    const commandId = req.params.commandId;
    const tenant = header(req, 'X-Tenant-Id', headerSchemas.tenant) ?? 'default';
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
