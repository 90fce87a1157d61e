import type { Express } from 'express';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { PROBLEM_CONTENT_TYPE } from './problem';
import { routesOf, type HttpRoute } from './routes';
import { httpServerEnvSchema, tlsFiles, type HttpServerEnv } from './transport-env';

export interface RunningServer {
  url: string;
  port: number;
  /** The routes the app serves, as its router holds them (for tests that must cover each). */
  routes: readonly HttpRoute[];
  close(): Promise<void>;
}

/** Where and how to listen; the `VERITY_*` settings come from the service's parsed env. */
export type ListenOptions = Partial<HttpServerEnv> & {
  /** Default 0.0.0.0. */
  host?: string;
};

/**
 * Listens on host:port (0 picks a free port, as tests do): HTTPS when VERITY_TLS_CERT and
 * VERITY_TLS_KEY are set, else HTTP, with the header size, request time and keep-alive limits.
 */
export function listen(app: Express, port: number, options: ListenOptions = {}): Promise<RunningServer> {
  // The schema's defaults for what a caller (a test) leaves out: they live in one place.
  const settings = httpServerEnvSchema.parse(options);
  const tls = tlsFiles(settings);
  const requestTimeout = settings.VERITY_HTTP_REQUEST_TIMEOUT_MS;
  const limits = {
    maxHeaderSize: settings.VERITY_HTTP_MAX_HEADER_BYTES,
    requestTimeout,
    // Node refuses a headers timeout longer than the request timeout.
    headersTimeout: requestTimeout === 0 ? 60_000 : Math.min(60_000, requestTimeout),
    // Node checks the timeouts every 30 s by default: a shorter timeout is checked as often as it is long.
    connectionsCheckingInterval: requestTimeout === 0 ? 30_000 : Math.min(30_000, Math.max(250, requestTimeout)),
  };
  const server: Server = tls ? createHttpsServer({ ...tls, ...limits }, app) : createHttpServer(limits, app);
  server.keepAliveTimeout = settings.VERITY_HTTP_KEEP_ALIVE_TIMEOUT_MS;
  server.on('clientError', answerClientError);
  // No service proxies: a CONNECT is answered, rather than its connection dropped unanswered.
  server.on('connect', (_req, socket: Socket) =>
    refuse(socket, 405, 'method_not_allowed', 'Method not allowed', 'CONNECT is not served'),
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, options.host ?? '0.0.0.0', () => {
      const actual = (server.address() as AddressInfo).port;
      resolve({
        url: `${tls ? 'https' : 'http'}://localhost:${actual}`,
        port: actual,
        routes: routesOf(app),
        close: () =>
          new Promise<void>((done, fail) => {
            server.closeAllConnections();
            server.close((error) => (error ? fail(error) : done()));
          }),
      });
    });
  });
}

/**
 * A request Node's parser refused before express saw it (headers too large, a malformed
 * request line or header, a request that took too long): answered as problem+json like every
 * other refusal, instead of Node's bare status line.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // Nothing can be answered on a reset connection, or once a response has begun.
  if (error.code === 'ECONNRESET' || !socket.writable || socket.bytesWritten > 0) {
    socket.destroy();
    return;
  }
  const [status, code, title] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers_too_large', 'Request headers too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'Request timeout']
        : [400, 'malformed_request', 'Malformed request'];
  refuse(socket, status, code, title, 'the HTTP request could not be read');
}

/** Writes a problem+json answer straight to the socket and closes it. */
function refuse(socket: Socket, status: number, code: string, title: string, detail: string): void {
  const body = JSON.stringify({
    type: `urn:verity:problem:${code}`,
    title,
    status,
    detail,
    code,
  });
  // Destroyed once written: nothing reads this socket any more, so a half-open one would never
  // see the client's end, and would hold server.close() forever.
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}
