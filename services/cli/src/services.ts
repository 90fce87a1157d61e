import { commandProcessorEnvSchema, createCommandProcessorService } from '@verity/command-processor';
import { contexts } from '@verity/domain';
import { createGatewayService, gatewayEnvSchema } from '@verity/gateway';
import { createProjectorService, projectorEnvSchema } from '@verity/projector';
import { createQueryApiService, queryApiEnvSchema } from '@verity/query-api';
import { parseEnv, type RunningServer } from '@verity/service-kit';

export interface NamedService {
  name: ServiceName;
  start(): Promise<RunningServer>;
  stop(): Promise<void>;
}

/** In start order: writers before readers, so a first command finds its processor ready. */
export const SERVICE_NAMES = ['command-processor', 'projector', 'gateway', 'query-api'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

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
    default: {
      const unknown: never = name;
      throw new Error(`unknown service ${String(unknown)}`);
    }
  }
}
