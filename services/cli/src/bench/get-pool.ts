import { connect, type Socket } from 'node:net';

export interface GetPoolOptions {
  /** A loopback address and port. */
  host: string;
  port: number;
  /** Sent with every request besides Host. */
  headers: Record<string, string>;
  /** Keep-alive connections at most, opened as needed. */
  connections: number;
  /** A request unanswered this long fails with the cause `timeout` (its connection is dropped). */
  timeoutMs: number;
}

export interface GetPool {
  /** GETs `path` on the first free connection, in the order asked; resolves with the status once the whole answer is read. */
  get(path: string): Promise<number>;
  /** Closes every connection; requests waiting or in flight fail. */
  close(): void;
}

interface Pending {
  path: string;
  resolve(status: number): void;
  reject(error: Error): void;
}

interface Connection {
  socket: Socket;
  pending: Pending | undefined;
  buffered: Buffer;
}

/** An error with the cause the bench counts it under (`timeout`, `ECONNRESET`, …). */
const failure = (message: string, code: string): Error => Object.assign(new Error(message), { code });

/**
 * Where a complete answer ends in `data` and its status; undefined while it is incomplete. Only
 * answers with a Content-Length (both servers the reads measure send one), else it throws.
 */
export function parseAnswer(data: Buffer): { status: number; length: number } | undefined {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd === -1) return undefined;
  const head = data.toString('latin1', 0, headEnd);
  const status = Number(head.slice(9, 12));
  const contentLength = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head)?.[1];
  if (!head.startsWith('HTTP/1.') || !Number.isInteger(status) || contentLength === undefined)
    throw failure(`not an HTTP/1.x answer with a Content-Length: ${head.slice(0, 200)}`, 'bad_answer');
  const length = headEnd + 4 + Number(contentLength);
  return data.length < length ? undefined : { status, length };
}

/**
 * A minimal HTTP/1.1 client for the fixed-rate reads: one request at a time on each of a few
 * keep-alive connections, requests waiting for a free one in order. Node's own http client
 * costs about 140 µs of CPU a request here; this one a fraction of that, so at 5,000 requests/s
 * the load generator leaves the two cores to the servers measured.
 */
export function createGetPool(options: GetPoolOptions): GetPool {
  if (!(options.connections >= 1)) throw new RangeError(`connections must be at least 1, got ${options.connections}`);
  const extra = Object.entries(options.headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const request = (path: string): string =>
    `GET ${path} HTTP/1.1\r\nHost: ${options.host}:${options.port}\r\n${extra}\r\n`;
  const all = new Set<Connection>();
  const idle: Connection[] = [];
  // A queue as an array and a head index: shift() is linear, and a backlog can be long.
  let waiting: Pending[] = [];
  let head = 0;
  let open = 0;
  let closed = false;

  const settle = (connection: Connection, outcome: { status: number } | { error: Error }): void => {
    const pending = connection.pending;
    connection.pending = undefined;
    if (!pending) return;
    if ('error' in outcome) pending.reject(outcome.error);
    else pending.resolve(outcome.status);
  };

  const start = (connection: Connection, pending: Pending): void => {
    connection.pending = pending;
    connection.socket.setTimeout(options.timeoutMs);
    connection.socket.write(request(pending.path), 'latin1');
  };

  const dispatch = (): void => {
    while (head < waiting.length) {
      const connection = idle.pop() ?? (open < options.connections ? openConnection() : undefined);
      if (!connection) return;
      start(connection, waiting[head++] as Pending);
    }
    waiting = [];
    head = 0;
  };

  const openConnection = (): Connection => {
    open++;
    const socket = connect({ host: options.host, port: options.port });
    socket.setNoDelay(true);
    const connection: Connection = { socket, pending: undefined, buffered: Buffer.alloc(0) };
    all.add(connection);
    socket.on('data', (chunk: Buffer) => {
      connection.buffered = connection.buffered.length === 0 ? chunk : Buffer.concat([connection.buffered, chunk]);
      let answer;
      try {
        answer = parseAnswer(connection.buffered);
      } catch (error) {
        socket.destroy(error as Error);
        return;
      }
      if (!answer) return;
      connection.buffered = connection.buffered.subarray(answer.length);
      socket.setTimeout(0);
      settle(connection, { status: answer.status });
      idle.push(connection);
      dispatch();
    });
    socket.on('timeout', () => socket.destroy(failure(`no answer within ${options.timeoutMs} ms`, 'timeout')));
    socket.on('error', (error) => settle(connection, { error }));
    socket.on('close', () => {
      open--;
      all.delete(connection);
      settle(connection, { error: failure('connection closed', 'ECONNRESET') });
      const at = idle.indexOf(connection);
      if (at !== -1) idle.splice(at, 1);
      if (!closed) dispatch();
    });
    return connection;
  };

  return {
    get(path) {
      if (closed) return Promise.reject(new Error('the pool is closed'));
      return new Promise<number>((resolve, reject) => {
        waiting.push({ path, resolve, reject });
        dispatch();
      });
    },
    close() {
      closed = true;
      for (const pending of waiting.slice(head)) pending.reject(new Error('the pool is closed'));
      waiting = [];
      head = 0;
      idle.length = 0;
      for (const connection of all) connection.socket.destroy();
    },
  };
}
