import express, { type Express, type Request, type Response } from 'express';
import type { Counter } from 'prom-client';
import {
  UnmappableChangeError,
  type CommandIntake,
  type DeadLetters,
  type SyncMetrics,
} from '@verity/connector-intake';
import { changesOfDelivery, topicOf, type WebhookSecretDirectory } from '@verity/connector-webhooks';
import { HttpProblem } from '@verity/service-kit';
import { authenticateDelivery } from './authenticate-delivery';
import { badDelivery, unknownTopic } from './webhook-problems';

export interface WebhookRoutesOptions {
  directory: WebhookSecretDirectory;
  intake: CommandIntake;
  deadLetters: DeadLetters;
  sync: SyncMetrics;
  /** Deliveries refused before any command, by source and reason (no tenant: it is not proven). */
  refused: Counter<'source' | 'reason'>;
  maxBodyBytes: number;
}

/** A delivery that was authentic but means no command: kept as a dead letter, answered 400. */
async function deadLetter(
  options: WebhookRoutesOptions,
  at: { source: string; topic: string; tenant: string; deliveryId: string; raw: Buffer },
  problem: HttpProblem,
): Promise<never> {
  await options.deadLetters.write({
    ingestor: 'webhooks',
    source: at.source,
    tenant: at.tenant,
    code: problem.code,
    reason: problem.message,
    position: `${at.topic}:${at.deliveryId}`,
    original: at.raw.toString('utf8'),
  });
  options.sync.count({ ingestor: 'webhooks', source: at.source, tenant: at.tenant }, 'dead_lettered');
  throw problem;
}

/**
 * `POST /webhooks/<source>/<topic>`: authenticated by the source's signature (not a Verity
 * credential), mapped to commands, appended durably, answered 202 without waiting for the
 * decision. The raw body is kept for the signature; JSON is parsed only once it is authentic.
 */
export function mountWebhookRoutes(app: Express, options: WebhookRoutesOptions): void {
  const { directory, intake, sync, refused } = options;
  const raw = express.raw({ type: () => true, limit: options.maxBodyBytes });

  app.post('/webhooks/:source/*topic', raw, async (req: Request, res: Response) => {
    const source = String(req.params.source);
    const topic = ([] as string[]).concat(req.params.topic ?? []).join('/');
    const found = topicOf(source, topic);
    if (!found) throw unknownTopic(source, topic);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let delivery;
    try {
      delivery = authenticateDelivery(req, body, found.source, found.spec.scheme, directory);
    } catch (error) {
      if (error instanceof HttpProblem)
        refused.inc({
          source: found.source,
          reason: typeof error.extra.reason === 'string' ? error.extra.reason : error.code,
        });
      throw error;
    }
    const place = { source: found.source, topic, tenant: delivery.tenant, deliveryId: delivery.deliveryId, raw: body };
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (error) {
      return deadLetter(options, place, badDelivery('malformed_json', `body is not JSON: ${(error as Error).message}`));
    }
    let submitted;
    try {
      const changes = changesOfDelivery(
        {
          source: found.source,
          tenant: delivery.tenant,
          deliveryId: delivery.deliveryId,
          body: parsed,
          secretId: delivery.secret.secretId,
        },
        found.map,
      );
      submitted = await intake.submit(changes);
      for (const change of changes)
        sync.seen({ ingestor: 'webhooks', source: found.source, tenant: delivery.tenant }, change.sourceTimestamp);
    } catch (error) {
      if (!(error instanceof UnmappableChangeError)) throw error;
      return deadLetter(options, place, badDelivery('unmappable_change', error.message, { fields: error.fields }));
    }
    sync.count({ ingestor: 'webhooks', source: found.source, tenant: delivery.tenant }, 'submitted', submitted.length);
    res.status(202).json({
      commandId: submitted[0]!.commandId,
      ...(submitted.length > 1 ? { commandIds: submitted.map((s) => s.commandId) } : {}),
      status: 'accepted',
    });
  });
}
