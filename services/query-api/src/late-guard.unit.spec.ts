import express, { type RequestHandler } from 'express';
import type { AddressInfo } from 'node:net';
import { LateGuard } from './late-guard';

describe('LateGuard', () => {
  const serve = async (guard: LateGuard, run: (url: string) => Promise<void>) => {
    const app = express();
    app.get('/x', guard.handler, (_req, res) => void res.send('served'));
    app.use(
      ((error, _req, res, _next) =>
        void res.status((error as { status?: number }).status ?? 500).send('refused')) as express.ErrorRequestHandler,
    );
    const server = app.listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  };

  it('refuses with 503 until armed, then runs the handlers it was armed with, in order', async () => {
    const guard = new LateGuard();
    const seen: string[] = [];
    const step =
      (name: string, refuse = false): RequestHandler =>
      (req, res, next) => {
        seen.push(name);
        if (refuse && req.get('x-refuse')) return void res.status(401).send('no');
        next();
      };
    await serve(guard, async (url) => {
      expect((await fetch(url)).status).toBe(503);
      guard.arm([step('first'), step('second', true)]);
      expect(await (await fetch(url)).text()).toBe('served');
      expect(seen).toEqual(['first', 'second']);
      expect((await fetch(url, { headers: { 'x-refuse': '1' } })).status).toBe(401);
    });
  });

  it('armed with nothing, lets every request through', async () => {
    const guard = new LateGuard();
    guard.arm([]);
    await serve(guard, async (url) => expect((await fetch(url)).status).toBe(200));
  });
});
