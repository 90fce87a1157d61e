import type { RequestHandler } from 'express';
import { HttpProblem, sendProblem } from './problem';

/** Largest request body any service reads (the gateway's commands, GraphQL documents): 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

// C0 controls, DEL and C1 controls: never meaningful in an identifier or a query value, and a
// NUL reaching PostgreSQL fails the query (a 500 before this guard).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Why a raw request target (path and query) is refused, or undefined when it is acceptable:
 * every `%` starts an escape of two hex digits, the escapes decode to well-formed UTF-8 (no
 * lone surrogates, no overlong forms), and nothing decodes to a control character.
 */
export function requestTargetProblem(rawUrl: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawUrl);
  } catch {
    return 'the request target has malformed percent-encoding (not well-formed UTF-8)';
  }
  if (CONTROL.test(decoded)) return 'the request target contains a control character';
  return undefined;
}

/**
 * Refuses a malformed request target with 400 before any route decodes it, and a body whose
 * declared length is over the limit with 413 before anything reads it.
 */
export function guardRequests(maxBodyBytes: number = MAX_BODY_BYTES): RequestHandler {
  return (req, res, next) => {
    const problem = requestTargetProblem(req.url);
    if (problem) {
      sendProblem(res, new HttpProblem(400, 'malformed_request_target', 'Malformed request target', problem));
      return;
    }
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > maxBodyBytes) {
      // The body is not read: close the connection rather than drain it.
      res.setHeader('Connection', 'close');
      sendProblem(
        res,
        new HttpProblem(413, 'body_too_large', 'Body too large', `request body exceeds ${maxBodyBytes} bytes`),
      );
      return;
    }
    next();
  };
}
