export { cdcIngestorEnvSchema, type CdcIngestorEnv } from './env';
export { cdcGroupId, createCdcIngestorService, type CdcIngestorService } from './service';
