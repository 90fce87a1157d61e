export { VerityError, InvalidOptionError, UndecodableRecordError } from './errors';
export {
  SOURCE_SYSTEMS,
  commandEnvelopeSchema,
  commandFingerprint,
  commandMetadataSchema,
  parseStreamId,
  streamIdOf,
  tenantIdSchema,
  type AppendedEvent,
  type CommandEnvelope,
  type CommandMetadata,
  type CommandReply,
  type SourceSystem,
} from './envelope';
export {
  AVRO_CONTENT_TYPE,
  EVENT_HEADERS,
  fromHeaders,
  toHeaders,
  type ChainedEventMetadata,
  type EventHeaderName,
  type EventMetadata,
  type RecordHeaders,
} from './event-metadata';
export { canonicalMetadata, chain, eventHash, unchained } from './hash-chain';
export { compareCodeUnits } from './code-unit-order';
export {
  DomainRejection,
  sourceOf,
  type ChangeSource,
  type DomainCommandMetadata,
  type Decider,
  type DomainCommand,
  type DomainEvent,
} from './decider';
export { deciderSpec } from './decider-spec';
export {
  defineContext,
  eventFullName,
  eventShortName,
  findCommand,
  type CommandDefinition,
  type ContextDefinition,
  type ReferenceDefinition,
  type TimerDefinition,
} from './context';
export {
  decodeConsistencyToken,
  encodeConsistencyToken,
  InvalidConsistencyTokenError,
  type ConsistencyToken,
} from './consistency-token';
export {
  InvalidSecretsKeyError,
  UnsealableTextError,
  newSecretsKey,
  openText,
  sealText,
  secretsKeyOf,
  type SealedText,
  type SecretsKey,
} from './secret-box';
export type * from './generated/event-types';
