export { queryApiEnvSchema, type QueryApiEnv } from './env';
export { createQueryApiService, type QueryApiService } from './service';
