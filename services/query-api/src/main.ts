import { parseEnv, runUntilSignal } from '@verity/service-kit';
import { queryApiEnvSchema } from './env';
import { createQueryApiService } from './service';

void runUntilSignal('query-api', () => createQueryApiService(parseEnv(queryApiEnvSchema)));
