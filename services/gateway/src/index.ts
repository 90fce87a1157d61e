export { gatewayEnvSchema, type GatewayEnv } from './env';
export { createGatewayService, type GatewayService } from './service';
