export { HttpProblem, PROBLEM_CONTENT_TYPE, problemMiddleware, sendProblem, type ProblemBody } from './problem';
export { createHttpApp, type DependencyCheck, type HttpAppOptions } from './http-app';
export { listen, type ListenOptions, type RunningServer } from './server';
export { guardRequests, MAX_BODY_BYTES, requestTargetProblem } from './request-guard';
export {
  httpServerEnvSchema,
  kafkaSecurity,
  kafkaSecurityEnvSchema,
  tlsFiles,
  type HttpServerEnv,
  type KafkaSecurityEnv,
} from './transport-env';
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
export { StateKeyDirectory, type StateKeyDirectoryOptions } from './auth/state-key-directory';
