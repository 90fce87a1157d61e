import { parseEnv, runUntilSignal } from '@verity/service-kit';
import { webhookIngestorEnvSchema } from './env';
import { createWebhookIngestorService } from './service';

void runUntilSignal('webhook-ingestor', () =>
  createWebhookIngestorService(parseEnv(webhookIngestorEnvSchema, process.env)),
);
