import { createServer } from 'node:net';

/**
 * A port nothing listens on right now, as the OS picks it for port 0. The service binds it a
 * moment later; another process could take it in between, and the service then fails to
 * start, naming the port.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('the OS gave no port'))));
    });
  });
}

/** A free port not in `taken`, then added to it: ports handed out for one launch never repeat. */
export async function freePortBesides(taken: Set<number>): Promise<number> {
  let port: number;
  do port = await freePort();
  while (taken.has(port));
  taken.add(port);
  return port;
}
