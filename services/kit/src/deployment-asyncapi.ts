import { buildAsyncApi, SchemaCatalog, type AsyncApiContext } from '@verity/events';
import type { PlatformEnv } from './platform-env';

/** The AsyncAPI document of the events topics as this deployment names them: its prefix, partitions, brokers and registry. */
export function deploymentAsyncApi(env: PlatformEnv, contexts: readonly AsyncApiContext[]): Record<string, unknown> {
  return buildAsyncApi({
    catalog: SchemaCatalog.load(),
    contexts,
    prefix: env.VERITY_TOPIC_PREFIX,
    partitions: env.VERITY_PARTITIONS,
    brokers: env.VERITY_KAFKA_BROKERS,
    schemaRegistryUrl: env.VERITY_SCHEMA_REGISTRY_URL,
  });
}
