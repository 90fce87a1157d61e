export { projectorEnvSchema, type ProjectorEnv } from './env';
export { projections } from './projections';
export { createProjectorService, type ProjectorService } from './service';
