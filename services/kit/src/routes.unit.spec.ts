import express from 'express';
import { routesOf } from './routes';

describe('routesOf', () => {
  it('lists every route and path mount of the app, and no middleware mounted at /', () => {
    const app = express();
    const pass: express.RequestHandler = (_req, _res, next) => next();
    app.use(pass);
    app.get('/v1/things/:id', pass);
    app.post(['/v1/a', '/v1/b'], pass);
    app.use('/graphql', pass);
    app.use(((_error, _req, _res, next) => next()) as express.ErrorRequestHandler);
    expect(routesOf(app)).toEqual([
      { method: 'GET', path: '/v1/things/:id' },
      { method: 'POST', path: '/v1/a' },
      { method: 'POST', path: '/v1/b' },
      { method: 'ALL', path: '/graphql' },
    ]);
  });
});
