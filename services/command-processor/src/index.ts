export { commandProcessorEnvSchema, type CommandProcessorEnv } from './env';
export { createCommandProcessorService, type CommandProcessorService } from './service';
