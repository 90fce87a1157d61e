import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import { kafkajsSecurity, type KafkaSecurity } from './kafka-security';
import type { Logger } from './logger';

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * The level a kafkajs record is logged at. kafkajs logs every error answer of a request at
 * error (`Response ListOffsets(...)`, "This server is not the leader for that topic-partition")
 * before its caller retries it, so each leader move or rebalance looked like a failure to an
 * alert on error logs. Such a record is a warning; what the caller could not get past still
 * reaches the error level, from the caller (a consumer's crash, a rejected send).
 */
export function kafkajsLogLevel({ namespace, level, log }: Pick<LogEntry, 'namespace' | 'level' | 'log'>) {
  const mapped = levels[level] ?? 'info';
  return mapped === 'error' && namespace === 'Connection' && log.message.startsWith('Response ') ? 'warn' : mapped;
}

/** A kafkajs client whose logs go through our JSON logger instead of its own console format. */
export function createKafka(
  options: { brokers: string[]; clientId: string; logger: Logger; security?: KafkaSecurity } & Partial<KafkaConfig>,
): Kafka {
  const { logger, security, ...config } = options;
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    ...kafkajsSecurity(security),
    ...config,
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...extra } = entry.log;
      kafkaLogger[kafkajsLogLevel(entry)]({ namespace: entry.namespace, ...extra }, message);
    },
  });
}
