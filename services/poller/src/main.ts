import { parseEnv, runUntilSignal } from '@verity/service-kit';
import { pollerEnvSchema } from './env';
import { createPollerService } from './service';

void runUntilSignal('poller', () => createPollerService(parseEnv(pollerEnvSchema)));
