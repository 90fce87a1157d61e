export {
  CURRENCY_HEADER,
  InvalidConnectorFileError,
  POSTGRES_CONNECTOR_CLASS,
  TENANT_HEADER,
  cdcTopicPrefix,
  connectorFileSchema,
  connectorRequest,
  parseConnectorFile,
  type ConnectorFile,
  type ConnectorOverrides,
  type ConnectorRequest,
} from './connector-config';
export { parseChangeRecord, type Operation, type Row, type RowChange } from './debezium-record';
export {
  ERP_SOURCE,
  ERP_TABLES,
  erpCommandsOf,
  positionOf,
  type ErpMappingOptions,
  type ErpTable,
} from './erp-mapping';
export { minorUnits } from './money';
export { triageRecord, type CdcRecord, type Triage } from './cdc-record';
export { replayCdcLetter } from './dead-letter-replay';
