import { createKafka } from './kafka';
import type { KafkaSecurity } from './kafka-security';
import { createLogger } from './logger';
import { createRdKafka } from './rdkafka';

/**
 * The local stack's broker speaks plaintext without SASL, so a client given TLS or SASL
 * settings must fail to talk to it: proof that the settings reach kafkajs and librdkafka.
 */
const brokers = (process.env.VERITY_KAFKA_BROKERS ?? 'localhost:9092').split(',');
const logger = createLogger('kafka-security-test', 'silent');
const tls: KafkaSecurity = { ssl: true };
const scram: KafkaSecurity = { ssl: false, sasl: { mechanism: 'scram-sha-256', username: 'u', password: 'p' } };

describe('Kafka TLS and SASL settings reach both clients', () => {
  it('kafkajs: connects without them, and fails with TLS or SCRAM against a plaintext broker', async () => {
    const plain = createKafka({ brokers, clientId: 'sec-test', logger }).admin();
    await plain.connect();
    await plain.disconnect();
    for (const security of [tls, scram]) {
      const admin = createKafka({
        brokers,
        clientId: 'sec-test',
        logger,
        security,
        connectionTimeout: 2000,
        retry: { retries: 0 },
      }).admin();
      await expect(admin.connect()).rejects.toThrow(/TLS|SASL/);
      await admin.disconnect();
    }
  });

  it('librdkafka: fails with TLS or SCRAM against a plaintext broker', async () => {
    for (const security of [tls, scram]) {
      const admin = createRdKafka({ brokers, clientId: 'sec-test', logger, security }).admin();
      await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow(/transport failure/i);
      await admin.disconnect().catch(() => undefined);
    }
  }, 30_000);
});
