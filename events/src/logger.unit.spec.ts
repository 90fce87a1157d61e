import { Writable } from 'node:stream';
import { createLogger } from './logger';

describe('the logger', () => {
  it('never writes a credential header, wherever the headers are logged', () => {
    const key = 'vk_abcdefghijklmnopqrst_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA';
    let output = '';
    const logger = createLogger(
      'test',
      'info',
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          output += chunk.toString();
          done();
        },
      }),
    );
    const headers = {
      authorization: `Bearer ${key}`,
      'x-api-key': key,
      cookie: `session=${key}`,
      'set-cookie': [`session=${key}`],
      'x-tenant-id': 'acme',
    };
    logger.info({ req: { method: 'GET', url: '/v1/inventory', headers } }, 'request');
    logger.info({ headers }, 'headers alone');
    logger.info({ res: { headers } }, 'response');
    logger.warn({ err: { config: { headers } } }, 'a client error with its request');
    logger.info({ request: { headers: { Authorization: `Bearer ${key}`, 'X-Api-Key': key } } }, 'capitalised');
    const failure = Object.assign(new Error('request failed'), { config: { headers } });
    logger.error({ err: failure }, 'an error of a client');
    logger.error(failure, 'the error alone');
    logger.warn({ error: failure, headers: { COOKIE: key } }, 'an error under another key');

    const lines = output.split('\n').filter(Boolean);
    expect(lines).toHaveLength(8);
    // Errors keep their message and stack.
    expect(JSON.parse(lines[5]!).err).toMatchObject({ type: 'Error', message: 'request failed' });
    expect(JSON.parse(lines[6]!).err.stack).toContain('request failed');
    expect(output).not.toContain(key.slice(3));
    expect(output).toContain('"authorization":"[redacted]"');
    expect(output).toContain('"x-tenant-id":"acme"');
    // The rest of the record is untouched, and the objects logged are not changed.
    expect(output).toContain('"url":"/v1/inventory"');
    expect(headers.authorization).toBe(`Bearer ${key}`);
  });
});
