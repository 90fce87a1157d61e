import { join } from 'node:path';
import type { Component, ComponentContext } from './components/component';
import { createKafka } from './components/kafka';
import { createKafkaConnect } from './components/kafka-connect';
import { createPostgres } from './components/postgres';
import { createRedis } from './components/redis';
import { createSchemaRegistry } from './components/schema-registry';
import { InfraError } from './errors';
import { tcpOpen, waitUntilHealthy } from './health';
import { withLock } from './lock';
import { findRepoRoot, stackPaths } from './paths';
import { host, ports } from './ports';
import { isAlive } from './processes';
import type { ComponentName, ComponentStatus, InfraOptions } from './types';

/** Start order: the registry stores in PostgreSQL, Connect needs Kafka. `down` goes in reverse. */
export function createComponents(ctx: ComponentContext): Component[] {
  return [createPostgres(ctx), createRedis(ctx), createKafka(ctx), createSchemaRegistry(ctx), createKafkaConnect(ctx)];
}

/** Host port each component listens on, to tell "ours is down" from "someone else holds the port". */
const listenPort: Record<ComponentName, number> = {
  postgres: ports.postgres,
  redis: ports.redis,
  kafka: ports.kafka,
  'schema-registry': ports.schemaRegistry,
  'kafka-connect': ports.kafkaConnect,
};

function context(opts: InfraOptions): ComponentContext {
  return {
    paths: stackPaths(opts.root ?? findRepoRoot()),
    progress: opts.onProgress ?? ((line) => process.stderr.write(`${line}\n`)),
  };
}

/** Calls in one process take turns too: the file lock only tells processes apart. */
let turn: Promise<unknown> = Promise.resolve();
function serialised<T>(ctx: ComponentContext, body: () => Promise<T>): Promise<T> {
  const run = turn.then(() =>
    withLock(
      join(ctx.paths.run, 'stack.lock'),
      () => ctx.progress('waiting for another infra up/down to finish'),
      body,
    ),
  );
  turn = run.catch(() => undefined);
  return run;
}

async function statusOf(c: Component): Promise<ComponentStatus> {
  const pid = c.livePid();
  const probe = await c.probe();
  const base = { name: c.name, url: c.url, logFile: c.logFile, ...(pid === undefined ? {} : { pid }) };
  if (probe.ok) return { ...base, state: 'running', ...(probe.detail ? { detail: probe.detail } : {}) };
  const portTaken = pid === undefined && (await tcpOpen(host, listenPort[c.name]));
  if (pid !== undefined || portTaken) {
    const owner = portTaken ? `port ${listenPort[c.name]} is held by a process not started by infra up; ` : '';
    return { ...base, state: 'unhealthy', detail: `${owner}${probe.detail ?? 'probe failed'}` };
  }
  return { ...base, state: 'stopped' };
}

async function ensureUp(c: Component, ctx: ComponentContext): Promise<ComponentStatus> {
  const before = await statusOf(c);
  if (before.state === 'running') {
    ctx.progress(`${c.name}: already running${before.pid ? ` (pid ${before.pid})` : ' (not started by infra up)'}`);
    return before;
  }
  if (before.state === 'unhealthy' && before.pid === undefined) {
    throw new InfraError({
      code: 'PORT_IN_USE',
      component: c.name,
      reason: before.detail ?? 'port in use',
      logFile: c.logFile,
    });
  }
  const startedAt = Date.now();
  let pid = before.pid;
  if (pid === undefined) {
    ctx.progress(`${c.name}: starting`);
    try {
      pid = await c.start();
    } catch (err) {
      const reason = `failed to start: ${err instanceof Error ? err.message : String(err)}`;
      throw new InfraError({ code: 'START_FAILED', component: c.name, reason, logFile: c.logFile, cause: err });
    }
  } else {
    // Our process runs but is not healthy yet (still starting after a crash of the caller): give it time.
    ctx.progress(`${c.name}: pid ${pid} runs but is not healthy yet, waiting`);
  }
  const started = pid;
  const health = await waitUntilHealthy(() => c.probe(), {
    timeoutMs: c.startTimeoutMs,
    stillAlive: () => isAlive(started),
  });
  if (!health.ok) {
    throw new InfraError({
      code: 'UNHEALTHY',
      component: c.name,
      reason: health.detail ?? 'not healthy',
      logFile: c.logFile,
    });
  }
  ctx.progress(`${c.name}: healthy after ${((Date.now() - startedAt) / 1000).toFixed(1)} s (pid ${started})`);
  return { name: c.name, state: 'running', pid: started, url: c.url, logFile: c.logFile };
}

export function infraUp(opts: InfraOptions = {}): Promise<ComponentStatus[]> {
  const ctx = context(opts);
  return serialised(ctx, async () => {
    const statuses: ComponentStatus[] = [];
    // One after another: the JVMs compete for 2 cores, and each depends on the ones before it.
    for (const c of createComponents(ctx)) statuses.push(await ensureUp(c, ctx));
    return statuses;
  });
}

export function infraDown(opts: InfraOptions = {}): Promise<ComponentStatus[]> {
  const ctx = context(opts);
  return serialised(ctx, async () => {
    for (const c of createComponents(ctx).reverse()) {
      const pid = c.livePid();
      if (pid === undefined) continue;
      ctx.progress(`${c.name}: stopping pid ${pid}`);
      try {
        await c.stop(pid);
      } catch (err) {
        const reason = `failed to stop: ${err instanceof Error ? err.message : String(err)}`;
        throw new InfraError({ code: 'STOP_FAILED', component: c.name, reason, logFile: c.logFile, cause: err });
      }
    }
    return Promise.all(createComponents(ctx).map(statusOf));
  });
}

export function infraStatus(opts: InfraOptions = {}): Promise<ComponentStatus[]> {
  return Promise.all(createComponents(context(opts)).map(statusOf));
}
