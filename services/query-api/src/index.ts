export { queryApiEnvSchema, type QueryApiEnv } from './env';
export { createQueryApiService, type QueryApiService } from './service';
export { tenantDb, type TenantDb } from './tenant-db';
