import { contexts } from '@verity/domain';
import { deploymentAsyncApi, parseEnv, platformEnvSchema } from '@verity/service-kit';
import { UsageError } from './errors';

export const ASYNCAPI_USAGE = `verity asyncapi                the AsyncAPI 3.0 document (JSON) of the events topics, as the query-api
                                 serves it at /asyncapi.json, for the VERITY_* settings in force`;

export interface AsyncApiIo {
  env: NodeJS.ProcessEnv;
  stdout: { write(chunk: string): unknown };
}

/** `verity asyncapi`: prints the document; nothing is fetched, so it needs no running platform. */
export function runAsyncApi(
  args: readonly string[],
  io: AsyncApiIo = { env: process.env, stdout: process.stdout },
): void {
  if (args.length > 0) throw new UsageError(`asyncapi takes no arguments, got ${args.join(' ')}`);
  const env = parseEnv(platformEnvSchema, io.env);
  const document = deploymentAsyncApi(env, contexts);
  io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
}
