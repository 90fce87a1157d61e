import { parseEnv, runUntilSignal } from '@verity/service-kit';
import { projectorEnvSchema } from './env';
import { createProjectorService } from './service';

void runUntilSignal('projector', () => createProjectorService(parseEnv(projectorEnvSchema)));
