export { webhookDispatcherEnvSchema, type WebhookDispatcherEnv } from './env';
export { createWebhookDispatcherService, type WebhookDispatcherService } from './service';
