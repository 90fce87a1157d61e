import { dirname, join } from 'node:path';
import { cdcIngestorEnvSchema, createCdcIngestorService } from '@verity/cdc-ingestor';
import { commandProcessorEnvSchema, createCommandProcessorService } from '@verity/command-processor';
import { contexts } from '@verity/domain';
import { createGatewayService, gatewayEnvSchema } from '@verity/gateway';
import { createPollerService, pollerEnvSchema } from '@verity/poller';
import { createProjectorService, projectorEnvSchema } from '@verity/projector';
import { createQueryApiService, queryApiEnvSchema } from '@verity/query-api';
import { createWebhookIngestorService, webhookIngestorEnvSchema } from '@verity/webhook-ingestor';
import { createWebhookDispatcherService, webhookDispatcherEnvSchema } from '@verity/webhook-dispatcher';
import { parseEnv, type RunningServer } from '@verity/service-kit';
import type { ServiceName } from './service-names';

export { SERVICE_NAMES, isServiceName, type ServiceName } from './service-names';
/** The read models the projector builds and its settings: what `verity projections` rebuilds, as the projector would. */
export { projections, projectorEnvSchema, type ProjectorEnv } from '@verity/projector';

export interface NamedService {
  name: ServiceName;
  start(): Promise<RunningServer>;
  stop(): Promise<void>;
}

export function createService(name: ServiceName, env: NodeJS.ProcessEnv = process.env): NamedService {
  switch (name) {
    case 'command-processor':
      return { name, ...createCommandProcessorService(parseEnv(commandProcessorEnvSchema, env)) };
    case 'projector':
      return { name, ...createProjectorService(parseEnv(projectorEnvSchema, env)) };
    case 'gateway':
      return { name, ...createGatewayService(parseEnv(gatewayEnvSchema, env), contexts) };
    case 'query-api':
      return { name, ...createQueryApiService(parseEnv(queryApiEnvSchema, env)) };
    case 'webhook-ingestor':
      return { name, ...createWebhookIngestorService(parseEnv(webhookIngestorEnvSchema, env)) };
    case 'cdc-ingestor':
      return { name, ...createCdcIngestorService(parseEnv(cdcIngestorEnvSchema, env), contexts) };
    case 'poller':
      return { name, ...createPollerService(parseEnv(pollerEnvSchema, env)) };
    case 'webhook-dispatcher':
      return { name, ...createWebhookDispatcherService(parseEnv(webhookDispatcherEnvSchema, env)) };
    default: {
      const unknown: never = name;
      throw new Error(`unknown service ${String(unknown)}`);
    }
  }
}

/** Where a service listens: the variable that sets it and its value, 0 meaning any free port. */
export interface ServicePort {
  variable: string;
  port: number;
}

/**
 * A service's port, read from `env` with the service's own schema: its default applies, and a
 * wrong variable of that service fails here, every one named, before any process starts.
 */
export function servicePort(name: ServiceName, env: NodeJS.ProcessEnv = process.env): ServicePort {
  switch (name) {
    case 'command-processor': {
      const variable = 'VERITY_COMMAND_PROCESSOR_PORT';
      return { variable, port: parseEnv(commandProcessorEnvSchema, env)[variable] };
    }
    case 'projector': {
      const variable = 'VERITY_PROJECTOR_PORT';
      return { variable, port: parseEnv(projectorEnvSchema, env)[variable] };
    }
    case 'gateway': {
      const variable = 'VERITY_GATEWAY_PORT';
      return { variable, port: parseEnv(gatewayEnvSchema, env)[variable] };
    }
    case 'query-api': {
      const variable = 'VERITY_QUERY_API_PORT';
      return { variable, port: parseEnv(queryApiEnvSchema, env)[variable] };
    }
    case 'webhook-ingestor': {
      const variable = 'VERITY_WEBHOOK_INGESTOR_PORT';
      return { variable, port: parseEnv(webhookIngestorEnvSchema, env)[variable] };
    }
    case 'cdc-ingestor': {
      const variable = 'VERITY_CDC_INGESTOR_PORT';
      return { variable, port: parseEnv(cdcIngestorEnvSchema, env)[variable] };
    }
    case 'poller': {
      const variable = 'VERITY_POLLER_PORT';
      return { variable, port: parseEnv(pollerEnvSchema, env)[variable] };
    }
    case 'webhook-dispatcher': {
      const variable = 'VERITY_WEBHOOK_DISPATCHER_PORT';
      return { variable, port: parseEnv(webhookDispatcherEnvSchema, env)[variable] };
    }
    default: {
      const unknown: never = name;
      throw new Error(`unknown service ${String(unknown)}`);
    }
  }
}

/** The deployable's own entry, `services/<name>/dist/main.js`, which `verity start` runs as a process. */
export function serviceMain(name: ServiceName): string {
  return join(dirname(require.resolve(`@verity/${name}/package.json`)), 'dist', 'main.js');
}
