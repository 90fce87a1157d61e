import express, { type RequestHandler } from 'express';
import { HttpProblem } from '@verity/service-kit';

/**
 * Handlers mounted with the routes, when the service is created, but supplied by `start()`,
 * which builds the credential check (it needs the JWT keys and the key directory). Until then a
 * request through it is a 503, so a guarded route never answers unguarded.
 */
export class LateGuard {
  private readonly chain = express.Router();
  private armed = false;

  readonly handler: RequestHandler = (req, res, next) => {
    if (!this.armed)
      return next(new HttpProblem(503, 'starting', 'Starting', 'the service is starting; retry shortly'));
    this.chain(req, res, next);
  };

  /** Runs `handlers` in order from now on; none (e.g. an open `/metrics`) lets every request through. */
  arm(handlers: readonly RequestHandler[]): void {
    if (handlers.length) this.chain.use(...handlers);
    this.armed = true;
  }
}
