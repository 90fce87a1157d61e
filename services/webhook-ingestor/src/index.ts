export { webhookIngestorEnvSchema, type WebhookIngestorEnv } from './env';
export { createWebhookIngestorService, type WebhookIngestorService } from './service';
