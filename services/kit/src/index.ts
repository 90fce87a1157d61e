import './threadpool';
export { HttpProblem, PROBLEM_CONTENT_TYPE, problemMiddleware, sendProblem, type ProblemBody } from './problem';
export { createHttpApp, type DependencyCheck, type HttpAppOptions } from './http-app';
export { listen, type ListenOptions, type RunningServer } from './server';
export { routesOf, type HttpRoute } from './routes';
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
  secretsEnvSchema,
  type PlatformEnv,
  type ReadModelEnv,
  type SecretsEnv,
} from './platform-env';
export { createPlatform, type Platform } from './platform';
export { checkKafka, checkSchemaRegistry, probe } from './checks';
export { runUntilSignal, type Startable } from './run';
export { hashSecret, newApiKey, parseApiKey, verifySecret, type NewApiKey, type SecretHash } from './auth/api-key';
export {
  issueApiKeyCommand,
  revokeApiKeyCommand,
  rotateApiKeyCommand,
  type KeyInFamily,
  type NewKeyCommand,
} from './auth/api-key-commands';
export type { ApiKeyRecord, KeyDirectory } from './auth/key-directory';
export { StateKeyDirectory, type StateKeyDirectoryOptions } from './auth/state-key-directory';
export {
  can,
  covers,
  InvalidRoleError,
  parseRoles,
  requiredGrant,
  type Action,
  type Grant,
  type Permission,
  type Principal,
  type Role,
} from './auth/principal';
export {
  AlgorithmNotAllowedError,
  BadSignatureError,
  CredentialError,
  InvalidClaimError,
  MalformedCredentialError,
  MissingClaimError,
  SigningKeysUnavailableError,
  TokenExpiredError,
  TokenNotYetValidError,
  UnknownSigningKeyError,
  WrongAudienceError,
  WrongIssuerError,
  type AuthFailureReason,
} from './auth/credential-error';
export { createJwtVerifier, type JwtVerifier, type JwtVerifierOptions } from './auth/jwt';
export { createApiKeyCheck, type ApiKeyCheckOptions } from './auth/api-key-check';
export { createRequestAuth, type RequestAuth, type RequestAuthOptions } from './auth/request-auth';
export { authFailures, createAuthenticator, type AuthenticateOptions, type Authenticator } from './auth/authenticate';
export { createGuard } from './auth/guard';
export { actorOf, principalOf, requirePermission, tenantOf, type Actor } from './auth/request-principal';
export { rateLimitRedis } from './auth/rate-limit-redis';
export {
  DEFAULT_ADDRESS_LIMIT,
  DEFAULT_ROLE_LIMITS,
  rateLimits,
  type RateLimitOptions,
  type RateLimits,
} from './auth/rate-limit';
export { authEnvSchema, jwtVerifierOptions, rateLimitSettings, type AuthEnv } from './auth/auth-env';
export { deploymentAsyncApi } from './deployment-asyncapi';
