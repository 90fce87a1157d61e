import { parseEnv, runUntilSignal } from '@verity/service-kit';
import { commandProcessorEnvSchema } from './env';
import { createCommandProcessorService } from './service';

void runUntilSignal('command-processor', () => createCommandProcessorService(parseEnv(commandProcessorEnvSchema)));
