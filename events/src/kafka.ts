import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import { kafkajsSecurity, type KafkaSecurity } from './kafka-security';
import type { Logger } from './logger';

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

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
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        const { message, ...extra } = log;
        kafkaLogger[levels[level] ?? 'info']({ namespace, ...extra }, message);
      },
  });
}
