import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout, one line per record; `service` names the emitter in every line. */
export function createLogger(service: string, level: string = process.env.VERITY_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime });
}
