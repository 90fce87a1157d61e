import { contexts } from '@verity/domain';
import { parseEnv, runUntilSignal } from '@verity/service-kit';
import { cdcIngestorEnvSchema } from './env';
import { createCdcIngestorService } from './service';

void runUntilSignal('cdc-ingestor', () => createCdcIngestorService(parseEnv(cdcIngestorEnvSchema), contexts));
