import express, { type Response } from 'express';
import { Redis } from 'ioredis';
import { referenceResolutionKey, referenceStockKey } from './read-workload';

/**
 * The reference of the bench's cache-hit reads (issue 9): the minimal express + ioredis server
 * one would write to answer cached JSON, run as a process of its own beside the query API.
 * Express's defaults are kept (its weak ETag and `X-Powered-By` included): that is the minimal
 * server. Each request is one Redis GET whose value is sent as it is, with the same paths and
 * `X-Tenant-Id` header as the query API.
 *
 * Usage: node read-reference-server.js <port> <redis url> <key prefix>
 */
const [port, redisUrl, keyPrefix] = process.argv.slice(2);
if (!port || !redisUrl || !keyPrefix) {
  process.stderr.write('usage: read-reference-server <port> <redis url> <key prefix>\n');
  process.exit(2);
}

const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
redis.on('error', (error: Error) => process.stderr.write(`redis: ${error.message}\n`));

const app = express();
const tenantOf = (header: string | undefined): string => header ?? 'default';
const answer = async (res: Response, key: string): Promise<void> => {
  const json = await redis.get(key);
  if (json === null) res.status(404).end();
  else res.type('json').send(json);
};

app.get('/health', (_req, res) => void res.json({ status: 'up' }));
app.get('/v1/inventory/:sku', (req, res) =>
  answer(res, referenceStockKey(keyPrefix, tenantOf(req.get('x-tenant-id')), req.params.sku)),
);
app.get('/api/aliases/resolve/:context/:alias', (req, res) =>
  answer(
    res,
    referenceResolutionKey(keyPrefix, tenantOf(req.get('x-tenant-id')), req.params.context, req.params.alias),
  ),
);

const server = app.listen(Number(port), '127.0.0.1');
server.once('error', (error: Error) => {
  process.stderr.write(`cannot listen on ${port}: ${error.message}\n`);
  process.exit(1);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  redis.disconnect();
});
