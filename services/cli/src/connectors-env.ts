import { platformEnvSchema, readModelEnvSchema } from '@verity/service-kit';
import { z } from 'zod';

/** What `verity connectors` reads: the platform's settings, the read models' PostgreSQL, and Kafka Connect. */
export const connectorsEnvSchema = platformEnvSchema.extend(readModelEnvSchema.shape).extend({
  /** Kafka Connect's REST API. */
  VERITY_KAFKA_CONNECT_URL: z.url().default('http://localhost:8083'),
});
