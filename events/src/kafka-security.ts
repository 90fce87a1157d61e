import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';

/** How a client reaches secured brokers: TLS (with a CA of its own) and SASL PLAIN or SCRAM. */
export interface KafkaSecurity {
  ssl: boolean;
  /** PEM file of the CA that signed the brokers' certificates; default: the system's CAs. */
  caFile?: string;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

/** kafkajs's `ssl` and `sasl` options (it wants the CA's contents, not its path). */
export function kafkajsSecurity(security: KafkaSecurity | undefined): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  if (!security) return {};
  const ssl = security.ssl ? (security.caFile ? { ca: [readFileSync(security.caFile, 'utf8')] } : true) : undefined;
  return {
    ...(ssl === undefined ? {} : { ssl }),
    ...(security.sasl ? { sasl: security.sasl as SASLOptions } : {}),
  };
}

/** librdkafka's properties for the same settings. */
export function librdkafkaSecurity(security: KafkaSecurity | undefined): Record<string, string> {
  if (!security) return {};
  const protocol = `${security.sasl ? 'sasl_' : ''}${security.ssl ? 'ssl' : 'plaintext'}`;
  return {
    'security.protocol': protocol,
    ...(security.caFile ? { 'ssl.ca.location': security.caFile } : {}),
    ...(security.sasl
      ? {
          'sasl.mechanisms': security.sasl.mechanism.toUpperCase(),
          'sasl.username': security.sasl.username,
          'sasl.password': security.sasl.password,
        }
      : {}),
  };
}
