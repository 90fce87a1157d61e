export { queryApiEnvSchema, type QueryApiEnv } from './env';
export { createQueryApiService, type QueryApiService } from './service';
export { buildQueryApiOpenApi } from './openapi';
export { createGraphqlSchema } from './graphql';
