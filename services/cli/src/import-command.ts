import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { rm, stat, truncate } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { findCommand, type CommandEnvelope, type ContextDefinition } from '@verity/core';
import {
  checkpointPath,
  countResults,
  eventsEndKey,
  isReported,
  noCounts,
  progressLine,
  readCheckpoint,
  readRows,
  reportLine,
  rowPlanner,
  runImport,
  scanFile,
  writeCheckpoint,
  type ImportCheckpoint,
  type ImportCounts,
  type RowResult,
} from '@verity/connector-import';
import { contexts } from '@verity/domain';
import {
  contextTopicConfigs,
  contextTopics,
  createCommandProducer,
  ensureTopics,
  fetchTopicOffsets,
  repliesTopic,
  repliesTopicConfig,
  startCommandSender,
  type CommandSender,
} from '@verity/events';
import { createPlatform, parseEnv, platformEnvSchema } from '@verity/service-kit';
import { parseImportArgs, type ImportArgs } from './import-args';
import { CheckpointMismatchError, ImportFileNotFoundError, UnknownImportTypeError } from './import-errors';
import { INTERRUPTED_EXIT_CODE, exitCodeOf, importSummary } from './import-summary';

export { IMPORT_USAGE } from './import-args';

/** Where the command reads and writes; the process's own by default. */
export interface ImportIo {
  env: NodeJS.ProcessEnv;
  /** Checkpoints live under `<cwd>/.verity/imports`. */
  cwd: string;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

/** Access commands carry key hashes that only `verity keys` and the admin API make. */
const NOT_IMPORTABLE = new Set(['access']);

/** How often the checkpoint is saved while rows complete: what a kill -9 can cost is re-sending this much. */
const CHECKPOINT_EVERY_MS = 1_000;
/** A terminal's progress line is redrawn this often; without a terminal, a line is printed this often. */
const PROGRESS_TTY_MS = 250;
const PROGRESS_LOG_MS = 5_000;

function defaultActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

function importableType(type: string): ContextDefinition {
  const importable = contexts.filter((c) => !NOT_IMPORTABLE.has(c.name));
  const found = findCommand(importable, type);
  if (!found)
    throw new UnknownImportTypeError(
      type,
      importable.flatMap((c) => Object.keys(c.commands).map((name) => `${c.name}.${name}`)),
    );
  return found.context;
}

async function checkFile(path: string): Promise<void> {
  const found = await stat(path).catch(() => undefined);
  if (!found?.isFile()) throw new ImportFileNotFoundError(path);
}

/** The checkpoint to resume from, if any: one of this very import (type and tenant), else an error. */
async function resumable(path: string, args: ImportArgs): Promise<ImportCheckpoint | undefined> {
  if (args.restart) return undefined;
  const checkpoint = await readCheckpoint(path);
  if (checkpoint && (checkpoint.type !== args.type || checkpoint.tenant !== args.tenant))
    throw new CheckpointMismatchError(path, checkpoint);
  return checkpoint;
}

/**
 * The report of refused rows, in row order: cut back to what the checkpoint counted when resuming
 * (rows past it are decided again), else started afresh; opened when the first row is refused.
 */
async function openReport(path: string, from: ImportCheckpoint | undefined) {
  let bytes = from && resolve(from.report) === resolve(path) ? from.reportBytes : 0;
  if (bytes > 0) await truncate(path, bytes).catch(() => (bytes = 0));
  else await rm(path, { force: true });
  let fd: number | undefined;
  return {
    get bytes() {
      return bytes;
    },
    write(line: string) {
      fd ??= openSync(path, 'a');
      bytes += writeSync(fd, line);
    },
    close() {
      if (fd !== undefined) closeSync(fd);
    },
  };
}

/** Runs `verity import ...`; returns the exit code. */
export async function runImportCommand(
  argv: readonly string[],
  io: ImportIo = { env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const args = parseImportArgs(argv);
  const file = resolve(io.cwd, args.file);
  const report = resolve(io.cwd, args.report);
  await checkFile(file);
  const context = importableType(args.type);

  const started = Date.now();
  const { fileId, rows: total } = await scanFile(createReadStream(file), args.format);
  const checkpointFile = checkpointPath(join(io.cwd, '.verity', 'imports'), fileId);
  const from = await resumable(checkpointFile, args);
  const summary = (counts: ImportCounts, thisRun: number) =>
    importSummary({ file: args.file, counts, total, thisRun, elapsedMs: Date.now() - started, report: args.report });
  if (from && from.done >= total) {
    io.stdout.write(summary(from.counts, 0));
    io.stderr.write(`every row has its outcome in ${checkpointFile}: pass --restart to send them again\n`);
    return exitCodeOf(from.counts);
  }

  const env = parseEnv(platformEnvSchema, io.env);
  const platform = createPlatform('cli-import', {
    ...env,
    VERITY_LOG_LEVEL: io.env.VERITY_LOG_LEVEL ? env.VERITY_LOG_LEVEL : 'silent',
  });
  const topics = contextTopics(context.name, env.VERITY_TOPIC_PREFIX);
  const replies = repliesTopic(env.VERITY_TOPIC_PREFIX);
  const admin = platform.kafka.admin();
  await admin.connect();
  let sender: CommandSender | undefined;
  const out = await openReport(report, from);
  const stop = new AbortController();
  const interrupt = () => {
    if (stop.signal.aborted) process.exit(INTERRUPTED_EXIT_CODE);
    io.stderr.write('\nstopping: no further row is sent; waiting for the rows in flight, then saving the checkpoint\n');
    stop.abort();
  };
  process.on('SIGINT', interrupt).on('SIGTERM', interrupt);
  let timers: NodeJS.Timeout[] = [];
  try {
    await ensureTopics(
      admin,
      [...contextTopicConfigs(topics, env.VERITY_PARTITIONS), repliesTopicConfig(replies)],
      env.VERITY_REPLICATION_FACTOR,
    );
    const ends = new Map(
      (await fetchTopicOffsets(admin, topics.events)).map((o) => [
        eventsEndKey(topics.events, o.partition),
        BigInt(o.high),
      ]),
    );
    sender = await startCommandSender({
      kafka: platform.kafka,
      admin,
      brokers: env.VERITY_KAFKA_BROKERS,
      repliesTopic: replies,
      clientId: `${env.VERITY_TOPIC_PREFIX}.cli-import.${randomUUID()}`,
      ...(platform.kafkaSecurity ? { security: platform.kafkaSecurity } : {}),
      // The gateway's producer: concurrent rows go out batched, a partition's in order.
      producer: createCommandProducer(platform.rdkafka),
    });
    const live = sender;
    const send = (envelope: CommandEnvelope) => live.send(topics.commands, envelope);

    const skipped = from?.done ?? 0;
    let done = skipped;
    let counts = from?.counts ?? noCounts();
    const runStarted = Date.now();
    const checkpoint = (): ImportCheckpoint => ({
      fileId,
      type: args.type,
      tenant: args.tenant,
      total,
      done,
      counts,
      report: args.report,
      reportBytes: out.bytes,
      updatedAt: new Date().toISOString(),
    });
    // One write at a time, the newest state each: a slow disk never reorders checkpoints.
    let saving = Promise.resolve();
    let saved = skipped;
    const save = (): Promise<void> => {
      if (done === saved) return saving;
      saved = done;
      const next = checkpoint();
      saving = saving.then(() => writeCheckpoint(checkpointFile, next));
      return saving;
    };
    const progress = () => progressLine({ done, total, skipped, elapsedMs: Date.now() - runStarted });
    const tty = io.stderr.isTTY === true;
    timers = [
      setInterval(() => void save(), CHECKPOINT_EVERY_MS),
      setInterval(
        () => io.stderr.write(tty ? `\r${progress()}\u001b[K` : `${progress()}\n`),
        tty ? PROGRESS_TTY_MS : PROGRESS_LOG_MS,
      ),
    ];
    if (skipped > 0) io.stderr.write(`resuming ${args.file} after row ${skipped} (${checkpointFile})\n`);

    const run = runImport({
      rows: readRows(createReadStream(file), args.format),
      planner: rowPlanner(contexts, {
        type: args.type,
        tenant: args.tenant,
        actor: args.actor ?? defaultActor(),
        sourceSystem: args.sourceSystem,
        fileId,
        format: args.format,
      }),
      from: skipped,
      send,
      ends,
      concurrency: args.concurrency,
      signal: stop.signal,
      onResults(results: RowResult[], reached: number) {
        for (const result of results) if (isReported(result)) out.write(reportLine(result));
        counts = countResults(counts, results);
        done = reached;
      },
    });
    // Whatever stops the run, the rows whose outcome is known are not sent again.
    const result = await run.finally(async () => {
      timers.forEach(clearInterval);
      await save();
    });
    io.stderr.write(tty ? `\r${progress()}\u001b[K\n` : `${progress()}\n`);
    if (result.stopped) {
      io.stderr.write(`stopped after row ${done} of ${total}: run the same command again to resume\n`);
      return INTERRUPTED_EXIT_CODE;
    }
    io.stdout.write(summary(counts, done - skipped));
    return exitCodeOf(counts);
  } finally {
    timers.forEach(clearInterval);
    process.off('SIGINT', interrupt).off('SIGTERM', interrupt);
    out.close();
    await sender?.stop();
    await admin.disconnect();
  }
}
