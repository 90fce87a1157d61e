import { platformEnvSchema } from '@verity/service-kit';
import { z } from 'zod';

export const cdcIngestorEnvSchema = platformEnvSchema.extend({
  /** Port of /health, /ready and /metrics. */
  VERITY_CDC_INGESTOR_PORT: z.coerce.number().int().min(0).max(65535).default(8094),
  /** Consumer group of the Debezium topics. Default `<VERITY_TOPIC_PREFIX>.cdc-ingestor`. */
  VERITY_CDC_GROUP_ID: z
    .string()
    .regex(/^[a-z][a-z0-9.-]*$/)
    .optional(),
  /**
   * How often the topics are listed again (ms), so a connector applied after the start is
   * picked up: its topics match `^<VERITY_TOPIC_PREFIX>\.cdc\.`. Default 5 s.
   */
  VERITY_CDC_TOPIC_REFRESH_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
});
export type CdcIngestorEnv = z.infer<typeof cdcIngestorEnvSchema>;
