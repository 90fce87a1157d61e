import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { VerityError } from '@verity/core';
import {
  createCommandIntake,
  readDeadLetters,
  replayDeadLetters,
  type DeadLetterRemap,
  type StoredDeadLetter,
} from '@verity/connector-intake';
import { contexts } from '@verity/domain';
import {
  INGESTORS,
  createCommandProducer,
  deadLettersTopicSpec,
  ensureTopics,
  ingestorDeadLettersTopic,
  type Ingestor,
} from '@verity/events';
import { createPlatform, parseEnv, platformEnvSchema } from '@verity/service-kit';
import { UsageError } from './errors';
import { textTable } from './text-table';

export const DLQ_USAGE = `verity dlq list [--ingestor <${INGESTORS.join('|')}>] [--json]
  verity dlq replay --ingestor <i> (--id <letter id>... | --all)`;

export interface DlqIo {
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export type DlqArgs =
  | { action: 'list'; ingestors: readonly Ingestor[]; json: boolean }
  | { action: 'replay'; ingestor: Ingestor; ids: readonly string[] | 'all' };

/** An ingestor has no way to map its letters again: they can be listed, not replayed. */
export class NoReplayError extends VerityError {
  constructor(ingestor: string) {
    super('no_replay', `the ${ingestor} ingestor's dead letters cannot be replayed`, { context: { ingestor } });
  }
}

/** A letter named for replay is not among the pending ones (unknown, or replayed already). */
export class UnknownDeadLetterError extends VerityError {
  constructor(ids: readonly string[]) {
    super('unknown_dead_letter', `no pending dead letter ${ids.join(', ')}`, { context: { ids } });
  }
}

const isIngestor = (value: string): value is Ingestor => (INGESTORS as readonly string[]).includes(value);

export function parseDlqArgs(args: readonly string[]): DlqArgs {
  const [action, ...rest] = args;
  if (action !== 'list' && action !== 'replay')
    throw new UsageError(`dlq: unknown action ${action ?? '(none)'}; ${DLQ_USAGE}`);
  let values: { ingestor?: string; json?: boolean; id?: string[]; all?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...rest],
      options: {
        ingestor: { type: 'string' },
        json: { type: 'boolean' },
        id: { type: 'string', multiple: true },
        all: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`dlq ${action}: ${(error as Error).message}`);
  }
  if (values.ingestor !== undefined && !isIngestor(values.ingestor))
    throw new UsageError(`--ingestor ${values.ingestor}: one of ${INGESTORS.join(', ')}`);
  const ingestor = values.ingestor;
  if (action === 'list') {
    if (values.id || values.all) throw new UsageError('dlq list takes no --id or --all');
    return { action, ingestors: ingestor ? [ingestor] : INGESTORS, json: values.json ?? false };
  }
  if (!ingestor) throw new UsageError('dlq replay needs --ingestor');
  if (values.json) throw new UsageError('dlq replay takes no --json');
  if (Boolean(values.all) === (values.id !== undefined))
    throw new UsageError('dlq replay needs either --id <letter id>... or --all');
  return { action, ingestor, ids: values.all ? 'all' : values.id! };
}

/** One row per letter, oldest first. */
export function deadLetterTable(letters: readonly StoredDeadLetter[]): string {
  const header = ['ID', 'INGESTOR', 'SOURCE', 'TENANT', 'GIVEN UP', 'POSITION', 'REASON'];
  const rows = letters.map((l) => [l.id, l.ingestor, l.source, l.tenant ?? '-', l.at, l.position ?? '-', l.reason]);
  return textTable(header, rows);
}

/**
 * `verity dlq list|replay`: the ingestors' dead letters not replayed yet, and their replay once
 * the cause is fixed, through the ingestor's own mapping (`remaps`) and the same intake.
 */
export async function runDlq(
  args: readonly string[],
  remaps: Partial<Record<Ingestor, DeadLetterRemap>>,
  io: DlqIo = { env: process.env, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const parsed = parseDlqArgs(args);
  const env = parseEnv(platformEnvSchema, io.env);
  const platform = createPlatform('cli-dlq', {
    ...env,
    VERITY_LOG_LEVEL: io.env.VERITY_LOG_LEVEL ? env.VERITY_LOG_LEVEL : 'silent',
  });
  const remap = parsed.action === 'replay' ? remaps[parsed.ingestor] : undefined;
  if (parsed.action === 'replay' && !remap) throw new NoReplayError(parsed.ingestor);
  const ingestors = parsed.action === 'list' ? parsed.ingestors : [parsed.ingestor];
  const topics = ingestors.map((i) => ingestorDeadLettersTopic(i, env.VERITY_TOPIC_PREFIX));
  const admin = platform.kafka.admin();
  await admin.connect();
  try {
    // An ingestor that never ran has no topic yet: it has no letters either.
    await ensureTopics(admin, topics.map(deadLettersTopicSpec), env.VERITY_REPLICATION_FACTOR);
    const logs = await Promise.all(
      topics.map((topic) =>
        readDeadLetters({
          brokers: env.VERITY_KAFKA_BROKERS,
          admin,
          ...(platform.kafkaSecurity ? { security: platform.kafkaSecurity } : {}),
          topic,
          clientId: `${env.VERITY_TOPIC_PREFIX}.cli-dlq.${randomUUID()}`,
        }),
      ),
    );
    const pending = logs.flatMap((l) => l.pending);
    if (parsed.action === 'list') {
      io.stdout.write(parsed.json ? pending.map((l) => `${JSON.stringify(l)}\n`).join('') : deadLetterTable(pending));
      return 0;
    }
    const chosen = parsed.ids === 'all' ? pending : pending.filter((l) => parsed.ids.includes(l.id));
    if (parsed.ids !== 'all') {
      const missing = parsed.ids.filter((id) => !chosen.some((l) => l.id === id));
      if (missing.length > 0) throw new UnknownDeadLetterError(missing);
    }
    const producer = createCommandProducer(platform.rdkafka);
    await producer.connect();
    try {
      const outcomes = await replayDeadLetters({
        letters: chosen,
        remap: remap!,
        intake: createCommandIntake({ producer, contexts, topicPrefix: env.VERITY_TOPIC_PREFIX }),
        producer,
        topic: topics[0]!,
      });
      for (const [i, o] of outcomes.entries())
        io.stderr.write(
          `[${i + 1}/${outcomes.length}] ${o.id}: ${o.error ? `still unmappable: ${o.error}` : `replayed as ${o.commandIds!.join(', ') || 'nothing to do'}`}\n`,
        );
      const failed = outcomes.filter((o) => o.error).length;
      io.stdout.write(`replayed ${outcomes.length - failed}, still pending ${failed}\n`);
      return failed > 0 ? 1 : 0;
    } finally {
      await producer.disconnect();
    }
  } finally {
    await admin.disconnect();
  }
}
