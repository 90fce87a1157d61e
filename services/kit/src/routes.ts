import type { Express } from 'express';

/** A route an app serves: its method (`ALL` for a mount such as /graphql) and its path pattern. */
export interface HttpRoute {
  method: string;
  path: string;
}

/** The shape of express 5's router layers this reads; express types do not declare them. */
interface Layer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
}

const pathsOf = (path: unknown): string[] => (Array.isArray(path) ? path.map(String) : [String(path)]);

/**
 * Every route and path mount of an express app, read from its router, so a test can hold a list
 * of guarded routes against what the code serves: a route added without a test fails it.
 * Middleware mounted at `/` (logging, guards, the 404 and error handlers) is no route.
 */
export function routesOf(app: Express): HttpRoute[] {
  const stack = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  return stack.flatMap((layer): HttpRoute[] => {
    if (layer.route)
      return Object.keys(layer.route.methods).flatMap((method) =>
        pathsOf(layer.route!.path).map((path) => ({ method: method.toUpperCase(), path })),
      );
    return layer.rawPath === undefined || layer.rawPath === '/'
      ? []
      : pathsOf(layer.rawPath).map((path) => ({ method: 'ALL', path }));
  });
}
