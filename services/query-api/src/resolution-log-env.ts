import { z } from 'zod';

const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** The alias resolution log's buffer (see resolution-log.ts). */
export const resolutionLogEnvSchema = z.object({
  /** Most resolutions held in memory, unsent; past it new ones are dropped and counted. Default 10,000. */
  VERITY_ALIAS_RESOLUTIONS_BUFFER: count(1, 1_000_000).default(10_000),
  /** Resolutions per produce request; a full batch is sent without waiting for the interval. Default 500. */
  VERITY_ALIAS_RESOLUTIONS_BATCH: count(1, 10_000).default(500),
  /** Longest a resolution waits in memory before it is sent. Default 200 ms. */
  VERITY_ALIAS_RESOLUTIONS_FLUSH_MS: count(10, 10_000).default(200),
});
