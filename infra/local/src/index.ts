export { InfraError } from './errors';
export { defaultEndpoints } from './ports';
export { infraDown, infraStatus, infraUp } from './stack';
export type { ComponentName, ComponentStatus, InfraOptions } from './types';
export { startSpareKafka, type SpareKafka, type SpareKafkaOptions } from './spare-kafka';
