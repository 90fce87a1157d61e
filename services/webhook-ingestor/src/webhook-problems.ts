import { HttpProblem } from '@verity/service-kit';
import type { SignatureFailure } from '@verity/connector-webhooks';

const FAILURES: Record<SignatureFailure, string> = {
  missing_signature: 'the delivery carries no signature',
  missing_delivery_id: 'the delivery carries no delivery id (webhook-id)',
  bad_signature: 'the signature matches no secret of the tenant and source',
  stale_timestamp: 'the delivery is signed more than five minutes away from now',
  no_secret: 'the tenant has no secret for this source (verity webhooks secret set)',
};

/** 401: the delivery is not authenticated. Says why, never which secrets were tried. */
export const unauthenticated = (reason: SignatureFailure): HttpProblem =>
  new HttpProblem(401, 'invalid_webhook_signature', 'Invalid webhook signature', FAILURES[reason], { reason });

export const unknownTopic = (source: string, topic: string): HttpProblem =>
  new HttpProblem(404, 'unknown_webhook_topic', 'Unknown webhook topic', `no webhook topic ${source}/${topic}`, {
    source,
    topic,
  });

export const badDelivery = (code: string, detail: string, extra: Record<string, unknown> = {}): HttpProblem =>
  new HttpProblem(400, code, 'Bad webhook delivery', detail, extra);
