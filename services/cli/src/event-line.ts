import type { IHeaders, KafkaMessage } from 'kafkajs';

/** A record's headers as strings (CloudEvents attributes are text); a repeated header keeps its first value. */
export function headerStrings(headers: IHeaders | undefined): Record<string, string> {
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) strings[name] = first.toString();
  }
  return strings;
}

/**
 * An event as a JSON line: where it is in the log, its key, its CloudEvents headers as on the
 * wire (`ce_id`, `ce_type`, ..., the chain's `ce_prevhash` and `ce_hash`), its payload decoded,
 * and with `withValue` its exact value bytes (base64), which the hash covers.
 */
export interface EventLine {
  context: string;
  topic: string;
  partition: number;
  offset: string;
  /** The record's timestamp (ms since the epoch). */
  timestamp: string;
  key: string;
  headers: Record<string, string>;
  payload: Record<string, unknown>;
  value?: string;
}

export function eventLine(
  where: { context: string; topic: string; partition: number },
  message: KafkaMessage,
  payload: Record<string, unknown>,
  withValue: boolean,
): EventLine {
  return {
    ...where,
    offset: message.offset,
    timestamp: message.timestamp,
    key: message.key?.toString() ?? '',
    headers: headerStrings(message.headers),
    payload,
    ...(withValue && message.value ? { value: message.value.toString('base64') } : {}),
  };
}
