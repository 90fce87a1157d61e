import { contexts } from '@verity/domain';
import { buildAsyncApi, SchemaCatalog } from '@verity/events';
import { runAsyncApi } from './asyncapi-command';
import { UsageError } from './errors';

function run(args: string[], env: NodeJS.ProcessEnv): string {
  let out = '';
  runAsyncApi(args, { env, stdout: { write: (chunk: string) => (out += chunk) } });
  return out;
}

describe('verity asyncapi', () => {
  it('prints the document for the VERITY_* settings in force', () => {
    const out = run([], {
      VERITY_TOPIC_PREFIX: 'acme-prod',
      VERITY_PARTITIONS: '12',
      VERITY_KAFKA_BROKERS: 'k1:9092',
      VERITY_SCHEMA_REGISTRY_URL: 'http://registry:8081',
    });
    expect(JSON.parse(out)).toEqual(
      buildAsyncApi({
        catalog: SchemaCatalog.load(),
        contexts,
        prefix: 'acme-prod',
        partitions: 12,
        brokers: ['k1:9092'],
        schemaRegistryUrl: 'http://registry:8081',
      }),
    );
    expect(out).toContain('"address": "acme-prod.inventory.events"');
  });

  it('names the bad setting and takes no arguments', () => {
    expect(() => run([], { VERITY_TOPIC_PREFIX: 'Not A Prefix' })).toThrow(/VERITY_TOPIC_PREFIX/);
    expect(() => run(['--json'], {})).toThrow(UsageError);
  });
});
