export { pollerEnvSchema, type PollerEnv } from './env';
export { createPollerService, type PollerService } from './service';
