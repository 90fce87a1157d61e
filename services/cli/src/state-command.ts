import { contexts } from '@verity/domain';
import { type ContextDefinition } from '@verity/core';
import {
  ProcessorsRunningError,
  contextTopics,
  processorGroupId,
  rebuildStates,
  type StateRebuildProgress,
} from '@verity/events';
import { createPlatform, parseEnv, platformEnvSchema } from '@verity/service-kit';
import { UsageError } from './errors';

export const STATE_USAGE = `verity state rebuild <context>
                                 rebuild every stream's snapshot from the context's events (stop its processors first)`;

/** Exit code when the context's processors are running: stop them and run it again. */
export const PROCESSORS_RUNNING_EXIT = 3;

/** Where the command writes and what configures it; the process's own by default. */
export interface StateIo {
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export function parseStateArgs(args: readonly string[]): ContextDefinition {
  const [action, name, ...rest] = args;
  if (action !== 'rebuild') throw new UsageError(`state needs rebuild, got ${action ?? 'nothing'}`);
  if (!name || rest.length > 0) throw new UsageError('state rebuild needs exactly one context name');
  const context = contexts.find((c) => c.name === name);
  if (!context) throw new UsageError(`unknown context ${name}; known: ${contexts.map((c) => c.name).join(', ')}`);
  return context;
}

/** Progress lines at most once a second, plus one when a partition is read to its end. */
function progressPrinter(stderr: StateIo['stderr'], topic: string): (p: StateRebuildProgress) => void {
  let printedAt = 0;
  return (p) => {
    const now = Date.now();
    if (now - printedAt < 1000 && p.offset !== p.end) return;
    printedAt = now;
    stderr.write(`read ${topic}[${p.partition}] to offset ${p.offset} of ${p.end}, ${p.streams} streams so far\n`);
  };
}

/** Runs `verity state rebuild <context>`; returns the exit code. */
export async function runState(
  args: readonly string[],
  io: StateIo = { env: process.env, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const context = parseStateArgs(args);
  const env = parseEnv(platformEnvSchema, io.env);
  // Logs would mix with the summary on stdout: quiet unless asked for; failures surface as the error.
  const platform = createPlatform('cli-state', {
    ...env,
    VERITY_LOG_LEVEL: io.env.VERITY_LOG_LEVEL ? env.VERITY_LOG_LEVEL : 'silent',
  });
  const topics = contextTopics(context.name, env.VERITY_TOPIC_PREFIX);
  try {
    const summary = await rebuildStates({
      kafka: platform.kafka,
      serde: platform.serde,
      context,
      topics,
      // The group the command-processor service runs this context's processors in.
      groupId: processorGroupId(context.name, env.VERITY_TOPIC_PREFIX),
      logger: platform.logger,
      replicationFactor: env.VERITY_REPLICATION_FACTOR,
      onProgress: progressPrinter(io.stderr, topics.events),
    });
    io.stdout.write(
      `rebuilt ${summary.streams} streams from ${summary.events} events of ${topics.events} (${summary.partitions} partitions) into ${topics.state}\n`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof ProcessorsRunningError)) throw error;
    io.stderr.write(`verity: ${error.name} [${error.code}]: ${error.message}\n`);
    return PROCESSORS_RUNNING_EXIT;
  }
}
