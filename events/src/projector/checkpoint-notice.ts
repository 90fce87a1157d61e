import type { Redis } from 'ioredis';
import { z } from 'zod';

/** Where projectors say that a checkpoint moved, under the deployment's key prefix. */
export const checkpointsChannel = (keyPrefix: string): string => `${keyPrefix}:checkpoints`;

/**
 * A projector committed a batch: `projection`'s checkpoint of `topic` and `partition`, in the
 * PostgreSQL `schema`, is now `offset` (the next offset to apply). A wake-up for readers waiting
 * on a consistency token, never their proof: they read the checkpoint from PostgreSQL.
 */
const checkpointNoticeSchema = z.object({
  schema: z.string(),
  projection: z.string(),
  topic: z.string(),
  partition: z.number().int().min(0),
  offset: z.string().regex(/^\d+$/),
});
export type CheckpointNotice = z.infer<typeof checkpointNoticeSchema>;

export const encodeCheckpointNotice = (notice: CheckpointNotice): string => JSON.stringify(notice);

/** The notice a message holds; undefined for anything else. */
export function parseCheckpointNotice(message: string): CheckpointNotice | undefined {
  try {
    const parsed = checkpointNoticeSchema.safeParse(JSON.parse(message));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function publishCheckpointNotice(
  redis: Redis,
  keyPrefix: string,
  notice: CheckpointNotice,
): Promise<void> {
  await redis.publish(checkpointsChannel(keyPrefix), encodeCheckpointNotice(notice));
}

/** Several notices in one write to Redis (one per read model a batch moved). */
export async function publishCheckpointNotices(
  redis: Redis,
  keyPrefix: string,
  notices: readonly CheckpointNotice[],
): Promise<void> {
  if (notices.length === 0) return;
  if (notices.length === 1) return publishCheckpointNotice(redis, keyPrefix, notices[0]!);
  const pipeline = redis.pipeline();
  for (const notice of notices) pipeline.publish(checkpointsChannel(keyPrefix), encodeCheckpointNotice(notice));
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
}
