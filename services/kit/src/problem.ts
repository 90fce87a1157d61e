import type { ErrorRequestHandler, Response } from 'express';
import { VerityError } from '@verity/core';
import type { Logger } from '@verity/events';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An RFC 7807 problem: `code` is machine-readable, `status` the HTTP status it maps to. */
export class HttpProblem extends VerityError {
  readonly status: number;
  readonly title: string;
  readonly extra: Record<string, unknown>;

  constructor(status: number, code: string, title: string, detail: string, extra: Record<string, unknown> = {}) {
    super(code, detail, { context: extra });
    this.status = status;
    this.title = title;
    this.extra = extra;
  }
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  [extension: string]: unknown;
}

export function sendProblem(res: Response, problem: HttpProblem, instance?: string): void {
  const body: ProblemBody = {
    type: `urn:verity:problem:${problem.code}`,
    title: problem.title,
    status: problem.status,
    detail: problem.message,
    code: problem.code,
    ...(instance ? { instance } : {}),
    ...problem.extra,
  };
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

/**
 * The one place errors become HTTP answers. Unknown errors are 500s that say nothing internal;
 * they are logged with the request.
 */
export const problemMiddleware =
  (logger: Logger): ErrorRequestHandler =>
  (error, req, res, _next) => {
    if (error instanceof HttpProblem) return sendProblem(res, error, req.originalUrl);
    // express.json() failures carry `type` and `status`.
    const parserError = error as { type?: string; status?: number; message?: string };
    if (parserError.type === 'entity.parse.failed') {
      return sendProblem(
        res,
        new HttpProblem(
          400,
          'malformed_json',
          'Malformed JSON',
          `request body is not valid JSON: ${parserError.message}`,
        ),
        req.originalUrl,
      );
    }
    if (parserError.type === 'entity.too.large') {
      return sendProblem(
        res,
        new HttpProblem(413, 'body_too_large', 'Body too large', 'request body exceeds the limit'),
        req.originalUrl,
      );
    }
    if (parserError.type === 'encoding.unsupported' || parserError.type === 'charset.unsupported') {
      return sendProblem(
        res,
        new HttpProblem(415, 'unsupported_encoding', 'Unsupported encoding', String(parserError.message)),
        req.originalUrl,
      );
    }
    // The router's parameter decoding (a URIError marked 400) and body-parser's other client
    // errors: the client's fault, so never a 500. Only messages marked safe to show are shown.
    const clientError = error as { status?: unknown; statusCode?: unknown; expose?: boolean };
    const status = Number(clientError.status ?? clientError.statusCode);
    if (error instanceof URIError || (status >= 400 && status < 500)) {
      return sendProblem(
        res,
        new HttpProblem(
          status >= 400 && status < 500 ? status : 400,
          'bad_request',
          'Bad request',
          clientError.expose === true && parserError.message ? parserError.message : 'the request could not be read',
        ),
      );
    }
    logger.error({ err: error, req: { method: req.method, url: req.originalUrl } }, 'unhandled error');
    return sendProblem(
      res,
      new HttpProblem(500, 'internal_error', 'Internal error', 'the server failed to handle the request'),
      req.originalUrl,
    );
  };
