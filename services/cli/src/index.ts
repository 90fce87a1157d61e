export { SERVICE_NAMES, createService, type NamedService, type ServiceName } from './services';
