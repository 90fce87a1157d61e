export { HttpProblem, PROBLEM_CONTENT_TYPE, problemMiddleware, sendProblem, type ProblemBody } from './problem';
export { createHttpApp, type DependencyCheck, type HttpAppOptions } from './http-app';
export { listen, type RunningServer } from './server';
export {
  InvalidConfigurationError,
  parseEnv,
  platformEnvSchema,
  readModelEnvSchema,
  type PlatformEnv,
  type ReadModelEnv,
} from './platform-env';
export { createPlatform, type Platform } from './platform';
export { checkKafka, checkSchemaRegistry, probe } from './checks';
export { runUntilSignal, type Startable } from './run';
export { hashSecret, newApiKey, parseApiKey, verifySecret, type NewApiKey, type SecretHash } from './auth/api-key';
export type { ApiKeyRecord, KeyDirectory } from './auth/key-directory';
