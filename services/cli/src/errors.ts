import { VerityError } from '@verity/core';

/** The command line was wrong: printed with the usage, exit code 2. */
export class UsageError extends VerityError {
  constructor(message: string) {
    super('usage', message);
  }
}

/** Kafka Connect (or the connector plugin) refused a connector's config: every error named, nothing registered. */
export class ConnectorConfigInvalidError extends VerityError {
  constructor(connector: string, errors: readonly string[]) {
    super('connector_config_invalid', `connector ${connector}: ${errors.join('; ')}`, {
      context: { connector, errors },
    });
  }
}

/** Kafka Connect's REST API could not be reached or answered an error. */
export class KafkaConnectError extends VerityError {
  constructor(message: string, status?: number) {
    super('kafka_connect_error', message, { context: status === undefined ? {} : { status } });
  }
}
