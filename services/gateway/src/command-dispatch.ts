import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { streamIdOf, type CommandEnvelope, type CommandReply, type ContextDefinition } from '@verity/core';
import { contextTopics, type RdProducer } from '@verity/events';
import { actorOf } from '@verity/service-kit';
import type { RecentReplies } from './recent-replies';
import { header, headerSchemas } from './request-headers';

/** How the gateway hands a command to its context's processor and waits for the outcome. */
export interface CommandDispatch {
  producer: RdProducer;
  /** Where replies arrive: a request waits there for its command's. */
  replies: RecentReplies;
  topicPrefix: string;
  replyTimeoutMs: number;
}

export interface EnvelopeInput {
  context: ContextDefinition;
  /** `<context>.<Command>`. */
  type: string;
  /** Checked by the command's schema already. */
  payload: Record<string, unknown>;
  aggregateId: string;
  tenant: string;
  commandId?: string;
  expectedVersion?: number;
  /** The credential is admin where the command acts. */
  admin: boolean;
}

/**
 * A command as the request sends it: the actor is the credential's subject (with `X-Actor` as
 * `onBehalfOf` for an `act-as` credential), the source and correlation from the headers.
 */
export function requestEnvelope(req: Request, input: EnvelopeInput): CommandEnvelope {
  const commandId = input.commandId ?? randomUUID();
  const now = new Date().toISOString();
  const { actor, onBehalfOf } = actorOf(req);
  return {
    commandId,
    type: input.type,
    streamId: streamIdOf(input.tenant, input.aggregateId),
    ...(input.expectedVersion !== undefined ? { expectedVersion: input.expectedVersion } : {}),
    payload: input.payload,
    metadata: {
      tenant: input.tenant,
      actor,
      ...(onBehalfOf !== undefined ? { onBehalfOf } : {}),
      ...(input.admin ? { admin: true } : {}),
      correlationId: req.get('X-Correlation-Id') ?? commandId,
      sourceSystem: header(req, 'X-Source-System', headerSchemas.sourceSystem) ?? 'api',
      sourceTimestamp: header(req, 'X-Source-Timestamp', headerSchemas.sourceTimestamp) ?? now,
      receivedAt: now,
    },
  };
}

/** Appends the command to its context's commands topic; its reply, or undefined after the reply timeout. */
export async function dispatchCommand(
  dispatch: CommandDispatch,
  context: string,
  envelope: CommandEnvelope,
): Promise<CommandReply | undefined> {
  const reply = dispatch.replies.expect(envelope.commandId, envelope.metadata.tenant, dispatch.replyTimeoutMs);
  await dispatch.producer.send({
    topic: contextTopics(context, dispatch.topicPrefix).commands,
    messages: [{ key: envelope.streamId, value: JSON.stringify(envelope) }],
  });
  return reply;
}
