import { KafkaJS } from '@confluentinc/kafka-javascript';
import { librdkafkaSecurity, type KafkaSecurity } from './kafka-security';
import type { Logger } from './logger';

/**
 * Confluent's librdkafka-based client, through its KafkaJS-shaped API. The write path uses
 * it: a librdkafka transaction costs a quarter of the CPU of a kafkajs one, and it fences
 * zombies by consumer group metadata (KIP-447), so one transaction can carry the batches
 * of every partition an instance owns.
 */
export type RdKafka = KafkaJS.Kafka;
export type RdProducer = KafkaJS.Producer;
export type RdConsumer = KafkaJS.Consumer;

/** An RdKafka client whose logs go through our JSON logger. */
export function createRdKafka(options: {
  brokers: string[];
  clientId: string;
  logger: Logger;
  security?: KafkaSecurity;
}): RdKafka {
  const log = options.logger.child({ component: 'librdkafka' });
  return new KafkaJS.Kafka({
    // librdkafka's own properties: its KafkaJS-shaped `ssl` option has no CA file.
    ...librdkafkaSecurity(options.security),
    kafkaJS: {
      brokers: options.brokers,
      clientId: options.clientId,
      logLevel: KafkaJS.logLevel.WARN,
      logger: jsonLogger(log),
    },
  });
}

/**
 * The producer of commands, for the gateway and every ingestor: idempotent with acks=all, so
 * an answered send is durable and a stream's commands stay in order; librdkafka batches the
 * sends of concurrent requests into one produce request per partition, and murmur2 puts a key
 * on the partition Java clients and kafkajs would choose.
 */
export function createCommandProducer(rdkafka: RdKafka): RdProducer {
  return rdkafka.producer({
    kafkaJS: { idempotent: true, acks: -1, allowAutoTopicCreation: false },
    'linger.ms': 1,
    partitioner: 'murmur2_random',
  });
}

function jsonLogger(log: Logger, namespace?: string): KafkaJS.Logger {
  const child = namespace ? log.child({ namespace }) : log;
  return {
    info: (message, extra) => child.info(extra ?? {}, message),
    warn: (message, extra) => child.warn(extra ?? {}, message),
    error: (message, extra) => child.error(extra ?? {}, message),
    debug: (message, extra) => child.debug(extra ?? {}, message),
    namespace: (name) => jsonLogger(log, name),
    setLogLevel: () => undefined,
  };
}
