import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Headers that carry credentials: a log line must never hold one. */
const SECRET_HEADERS = ['authorization', 'x-api-key', 'cookie', 'set-cookie', 'Authorization', 'X-Api-Key', 'Cookie'];

/**
 * Where those headers are blanked: a headers object logged alone or inside one level of another
 * (`req.headers`, `res.headers`, `request.headers`, an error's `config.headers`...).
 */
const REDACTED_PATHS = ['headers', '*.headers', '*.*.headers'].flatMap((at) =>
  SECRET_HEADERS.map((h) => `${at}[${JSON.stringify(h)}]`),
);

/**
 * JSON logs on stdout (or `destination`, for tests), one line per record; `service` names the
 * emitter in every line.
 */
export function createLogger(
  service: string,
  level: string = process.env.VERITY_LOG_LEVEL ?? 'info',
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}
