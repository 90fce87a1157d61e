export { InfraError } from './errors';
export { defaultEndpoints } from './ports';
export { infraDown, infraStatus, infraUp } from './stack';
export type { ComponentName, ComponentStatus, InfraOptions } from './types';
