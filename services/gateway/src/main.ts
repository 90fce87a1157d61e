import { contexts } from '@verity/domain';
import { parseEnv, runUntilSignal } from '@verity/service-kit';
import { gatewayEnvSchema } from './env';
import { createGatewayService } from './service';

void runUntilSignal('gateway', () => createGatewayService(parseEnv(gatewayEnvSchema), contexts));
