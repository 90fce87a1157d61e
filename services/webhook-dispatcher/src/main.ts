import { parseEnv, runUntilSignal } from '@verity/service-kit';
import { webhookDispatcherEnvSchema } from './env';
import { createWebhookDispatcherService } from './service';

void runUntilSignal('webhook-dispatcher', () =>
  createWebhookDispatcherService(parseEnv(webhookDispatcherEnvSchema, process.env)),
);
