import { infraDown, infraStatus, infraUp, type ComponentStatus } from '@verity/infra-local';
import { runBench } from './bench';
import { runScaleBench } from './bench/scale';
import { runRebuildBench } from './bench/rebuild-bench';
import { ASYNCAPI_USAGE, runAsyncApi } from './asyncapi-command';
import { AUDIT_USAGE, runAudit } from './audit-command';
import { AUDIT_EXPORT_USAGE, runAuditExport, runVerifyArchive } from './audit-export';
import { ALIAS_AUDIT_USAGE, runAliasAudit } from './alias-audit-command';
import { CONNECTORS_USAGE, runConnectors } from './connectors-command';
import { IMPORT_USAGE, runImportCommand } from './import-command';
import { KEYS_USAGE, runKeys } from './keys-command';
import { POLLERS_USAGE, runPollers } from './pollers-command';
import { PROJECTIONS_USAGE, runProjections } from './projections-command';
import { SCHEMAS_USAGE, runSchemas } from './schemas-command';
import { STATE_USAGE, runState } from './state-command';
import { SYNC_USAGE, runSync } from './sync-command';
import { DLQ_USAGE, runDlq } from './dlq-command';
import { REPLAY_USAGE, runReplay } from './replay-command';
import { replayCdcLetter } from '@verity/connector-cdc';
import { remapPollerLetter } from '@verity/connector-poller';
import { replayWebhookLetter } from '@verity/connector-webhooks';
import { contexts } from '@verity/domain';
import { runWebhooksBench } from './webhooks-bench';
import { WEBHOOKS_USAGE, runWebhooks } from './webhooks-command';
import { WEBHOOK_SUBSCRIPTIONS_USAGE, runWebhookSubscriptions } from './webhook-subscriptions-command';
import { withSecretsKey } from './webhooks-secrets-key';
import { UsageError } from './errors';
import { parseStartArgs, parseUpArgs, type LaunchArgs } from './launcher/launch-args';
import { LOCAL_ADMIN_KEY_FILE, localAdminKeyLines, localUpEnv, provideLocalAdminKey } from './launcher/local-admin-key';
import { runServiceProcesses, type WhenReady } from './launcher/service-processes';
import { runInOneProcess } from './launcher/single-process';
import { SERVICE_NAMES } from './service-names';

const USAGE = `verity — event-sourced single source of truth

usage:
  verity up [--single-process]   start the local stack, then every service, each in its own process; print
                                 the local admin key (.verity/local-admin-key), issued on the first start
  verity start [--single-process] [service...]
                                 start services (default: all) against a running stack, each in its own
                                 process; --single-process runs them all in this one process
  verity infra up|down|status    the local stack: Kafka, schema registry, Kafka Connect, PostgreSQL, Redis
  ${AUDIT_USAGE}
                                 check a stream's hash chain, or print its history (table or JSON lines)
  ${AUDIT_EXPORT_USAGE}
                                 a tenant's events with their chain fields, each stream's chain verified; an
                                 archive (gzip NDJSON, sha256 manifest) that verify-archive checks offline
  ${ALIAS_AUDIT_USAGE}
                                 the alias registry's audit log: who registered, deactivated or changed which alias, when;
                                 with --resolutions, who resolved which alias, what they got, when
  ${REPLAY_USAGE}
                                 copy an events range to another topic (bytes and headers kept), queue it again
                                 for a webhook subscription, or print it as NDJSON
  ${SCHEMAS_USAGE}
  ${ASYNCAPI_USAGE}
  verity bench [--duration s] [--warmup s] [--connections n] [--batch-size n] [--skus n] [--services a,b] [--instances n] [--out dir] [--cpu-prof dir] [--no-emmett] [--no-search] [--no-reads] [--read-rate n] [--no-visibility] [--visible-rate n]
                                 raw Kafka produce and Emmett on PostgreSQL vs commands through the gateway, and
                                 express + ioredis vs the query API's cache-hit reads, and how soon a command
                                 is visible in the read model, on the running stack
  verity bench scale [--streams n] [--tenants n] [--outcomes n] [--partitions n] [--connections n] [--duration s] [--warmup s] [--json file]
                                 1,000 streams beside 1,000,000 (and their past outcomes), loaded straight to the
                                 topics: memory, restart and start-up times, writes and timers at both sizes
  ${STATE_USAGE}
  ${KEYS_USAGE}
                                 API keys: a new key is printed once, alone on the last line; only its hash is kept
  ${WEBHOOKS_USAGE}
                                 webhook secrets per tenant and source; a generated one is printed alone on the last line
  ${WEBHOOK_SUBSCRIPTIONS_USAGE}
                                 outbound webhooks: subscriptions, their delivery log, redelivery; bench measures deliveries/s
  ${CONNECTORS_USAGE}
                                 CDC: the demo ERP database, its Debezium connector in Kafka Connect, their state
  ${POLLERS_USAGE}
                                 pollers of sources without webhooks: interval, cursor, checksums; drift vs the read models
  ${IMPORT_USAGE}
                                 a CSV or NDJSON file's rows as commands, resumable; refused rows in a report
  ${SYNC_USAGE}
                                 per tenant and source: changes applied, conflicted, rejected, dead-lettered; lag
  ${DLQ_USAGE}
                                 the ingestors' dead letters: list them, replay them once the cause is fixed
  ${PROJECTIONS_USAGE}
                                 read models' generations: rebuild one beside the serving one, switch, drop

services: ${SERVICE_NAMES.join(', ')}
configuration: VERITY_* environment variables (see README)`;

function printStatus(statuses: ComponentStatus[]): void {
  for (const s of statuses) {
    process.stdout.write(
      `${s.name.padEnd(16)} ${s.state.padEnd(10)} ${s.url}${s.pid ? `  pid ${s.pid}` : ''}${s.detail ? `  (${s.detail})` : ''}\n`,
    );
  }
}

/** Each service in a process of its own, or all in this one; the exit code is set when they are stopped. */
async function launch(
  { services, singleProcess }: LaunchArgs,
  env: NodeJS.ProcessEnv = process.env,
  whenReady?: WhenReady,
): Promise<void> {
  if (singleProcess) return runInOneProcess(services, env, whenReady);
  process.exitCode = await runServiceProcesses(services, env, whenReady);
}

/** Once a local platform is ready: its admin key, issued on the first start, printed with a command to try. */
function localAdminKey(env: NodeJS.ProcessEnv): WhenReady {
  return async (urls) => {
    const file = env.VERITY_LOCAL_ADMIN_KEY_FILE ?? LOCAL_ADMIN_KEY_FILE;
    const key = await provideLocalAdminKey(env, file);
    process.stdout.write(localAdminKeyLines(key, urls.gateway ?? 'http://localhost:8080', file));
  };
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'infra': {
      const [action] = rest;
      if (action === 'up') return printStatus(await infraUp());
      if (action === 'down') return printStatus(await infraDown());
      if (action === 'status') {
        const statuses = await infraStatus();
        printStatus(statuses);
        if (statuses.some((s) => s.state !== 'running')) process.exitCode = 1;
        return;
      }
      throw new UsageError(`infra needs up, down or status, got ${action ?? 'nothing'}`);
    }
    case 'up': {
      const args = parseUpArgs(rest);
      // The key webhook secrets are sealed under: the environment's, else one kept in .verity/.
      const env = await withSecretsKey(localUpEnv(process.env));
      printStatus(await infraUp());
      return launch(args, env, localAdminKey(env));
    }
    case 'start':
      return launch(parseStartArgs(rest));
    case 'schemas':
      return runSchemas(rest);
    case 'asyncapi':
      return runAsyncApi(rest);
    case 'audit':
      if (rest[0] === 'export') process.exitCode = await runAuditExport(rest.slice(1));
      else if (rest[0] === 'verify-archive') process.exitCode = await runVerifyArchive(rest.slice(1));
      else if (rest[0] === 'aliases') process.exitCode = await runAliasAudit(rest.slice(1));
      else process.exitCode = await runAudit(rest);
      return;
    case 'replay':
      process.exitCode = await runReplay(rest);
      return;
    case 'state':
      process.exitCode = await runState(rest);
      return;
    case 'keys':
      process.exitCode = await runKeys(rest);
      return;
    case 'webhooks':
      if (rest[0] === 'bench') await runWebhooksBench(rest.slice(1));
      else process.exitCode = await runWebhooks(rest);
      return;
    case 'webhook-subscriptions':
      process.exitCode = await runWebhookSubscriptions(rest);
      return;
    case 'pollers':
      process.exitCode = await runPollers(rest);
      return;
    case 'connectors':
      process.exitCode = await runConnectors(rest);
      return;
    case 'import':
      process.exitCode = await runImportCommand(rest);
      return;
    case 'sync':
      process.exitCode = await runSync(rest);
      return;
    case 'dlq':
      // Each ingestor maps its own letters again, with its mapping as it is now.
      process.exitCode = await runDlq(rest, {
        cdc: (letter) => replayCdcLetter(letter, contexts),
        webhooks: replayWebhookLetter,
        poller: remapPollerLetter,
      });
      return;
    case 'projections': {
      // Ctrl-C stops a rebuild where it is; running it again resumes.
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.exitCode = await runProjections(rest, {
        env: process.env,
        stdout: process.stdout,
        stderr: process.stderr,
        signal: stop.signal,
      });
      return;
    }
    case 'bench':
      if (rest[0] === 'scale') await runScaleBench(rest.slice(1));
      else if (rest[0] === 'rebuild') await runRebuildBench(rest.slice(1));
      else await runBench(rest);
      return;
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

main(process.argv.slice(2)).catch((error: Error & { code?: string }) => {
  process.stderr.write(`verity: ${error.name}${error.code ? ` [${error.code}]` : ''}: ${error.message}\n`);
  if (error instanceof UsageError) process.stderr.write(`\n${USAGE}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
