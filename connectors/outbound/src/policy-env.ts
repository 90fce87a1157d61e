import { z } from 'zod';
import type { EndpointPolicy } from './endpoint-policy';

/** `true`/`1` or `false`/`0`/empty; absent is false (the services' own flag rule). */
const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .default('false')
  .transform((v) => v === 'true' || v === '1');

/**
 * Which endpoints subscriptions may name: read by the gateway, which refuses a subscription to
 * them, and by the dispatcher, which refuses to connect to them.
 */
export const endpointPolicyEnvSchema = z.object({
  /** Private, loopback and link-local addresses as endpoints (a local receiver, tests). Default false. */
  VERITY_WEBHOOKS_ALLOW_PRIVATE: flag,
  /** Plain `http:` endpoints besides `https:` (a local receiver, tests). Default false. */
  VERITY_WEBHOOKS_ALLOW_HTTP: flag,
});
export type EndpointPolicyEnv = z.infer<typeof endpointPolicyEnvSchema>;

export const endpointPolicyOf = (env: EndpointPolicyEnv): EndpointPolicy => ({
  allowPrivate: env.VERITY_WEBHOOKS_ALLOW_PRIVATE,
  allowHttp: env.VERITY_WEBHOOKS_ALLOW_HTTP,
});
