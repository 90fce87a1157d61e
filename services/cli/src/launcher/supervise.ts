import { describeExit, stopGracefully, type ChildExit, type Signalable } from './stop';

/** A service's process as the supervisor sees it. */
export interface SupervisedChild extends Signalable {
  readonly name: string;
  /** How it ended; undefined while it runs. */
  readonly exit: ChildExit | undefined;
  /** Its last lines of output: they explain a failure. */
  lastLines(): string[];
}

/** A child's answer to a probe. */
export interface ProbeAnswer {
  ok: boolean;
  /** What it said (`/ready 503 {...}`, `/health ECONNREFUSED`), quoted when it never says yes. */
  answer: string;
}

export interface SuperviseOptions<S, C extends SupervisedChild> {
  /** What to start, in start order. */
  services: readonly S[];
  /** Starts one service's process. */
  start(service: S): C;
  /** Whether the child has completed its start (it listens): the next one starts only then. */
  started(child: C): Promise<ProbeAnswer>;
  /** Whether the child is ready to serve. */
  ready(child: C): Promise<ProbeAnswer>;
  /** Resolves with the signal's name when the operator asks to stop. */
  stopRequested: Promise<string>;
  /** Called once, when every child is ready. */
  onReady: (children: readonly C[]) => void;
  /** The supervisor's own messages, one call per message (it may span lines). */
  report: (message: string) => void;
  /** From the first start until every child is ready. */
  readyTimeoutMs: number;
  probeIntervalMs: number;
  /** How long a child may take to stop after SIGTERM before SIGKILL. */
  graceMs: number;
}

type Interrupt<C> = { kind: 'stop'; signal: string } | { kind: 'died'; child: C };

/**
 * Runs a set of service processes as one unit. Starts them in order, each once the one before
 * has completed its start, as they would start in one process (the first creates the topics
 * the others use); waits until all are ready, then until the operator asks to stop or one of
 * them ends by itself; then stops the rest (SIGTERM, SIGKILL after the grace period, all at
 * once). A service is not meant to end by itself: one that does, a start that fails or a stop
 * that is not clean make the exit code 1, so that a supervisor above us (systemd) restarts the
 * whole set. Resolves with the exit code.
 */
export async function supervise<S, C extends SupervisedChild>(options: SuperviseOptions<S, C>): Promise<0 | 1> {
  const { report } = options;
  const children: C[] = [];
  let interrupt: Interrupt<C> | undefined;
  // The one wait in progress (a probe interval, or the run itself), cut short by an interrupt.
  let wake: () => void = () => undefined;
  const interrupted = (cause: Interrupt<C>): void => {
    interrupt ??= cause;
    wake();
  };
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
      if (interrupt) wake();
    });
  void options.stopRequested.then((signal) => interrupted({ kind: 'stop', signal }));

  const deadline = Date.now() + options.readyTimeoutMs;
  /** Probes until every child says yes, an interrupt or the deadline; returns those that did not say yes. */
  const until = async (waitFor: readonly C[], probe: (child: C) => Promise<ProbeAnswer>): Promise<Map<C, string>> => {
    const pending = new Map<C, string>(waitFor.map((child) => [child, 'none yet']));
    for (;;) {
      await Promise.all(
        [...pending.keys()].map(async (child) => {
          const { ok, answer } = await probe(child);
          if (ok) pending.delete(child);
          else pending.set(child, answer);
        }),
      );
      if (interrupt || pending.size === 0 || Date.now() >= deadline) return pending;
      await pause(options.probeIntervalMs);
    }
  };

  let pending = new Map<C, string>();
  for (const service of options.services) {
    if (interrupt) break;
    const child = options.start(service);
    children.push(child);
    void child.exited.then(() => interrupted({ kind: 'died', child }));
    pending = await until([child], (c) => options.started(c));
    if (pending.size > 0) break;
  }
  if (!interrupt && pending.size === 0) pending = await until(children, (c) => options.ready(c));

  const reported = new Set<C>();
  const reportDeath = (child: C, when: string): void => {
    reported.add(child);
    report(`${child.name} ended by itself (${describeExit(child.exit ?? noExit)}) ${when}${lastLinesOf(child)}`);
  };
  let failed = false;
  if (!interrupt && pending.size > 0) {
    failed = true;
    for (const [child, answer] of pending)
      report(
        `${child.name} did not become ready within ${options.readyTimeoutMs} ms (last answer: ${answer})${lastLinesOf(child)}`,
      );
  } else if (interrupt?.kind === 'died') {
    failed = true;
    reportDeath(interrupt.child, 'while starting');
  } else if (!interrupt) {
    options.onReady(children);
    const end = await new Promise<Interrupt<C>>((resolve) => {
      wake = () => interrupt && resolve(interrupt);
      wake();
    });
    if (end.kind === 'died') {
      failed = true;
      reportDeath(end.child, 'while running');
    }
  }

  const running = children.filter((child) => child.exit === undefined);
  const signal = interrupt?.kind === 'stop' ? interrupt.signal : undefined;
  if (running.length > 0)
    report(`stopping ${running.map((c) => c.name).join(', ')} ${signal ? `on ${signal}` : 'after the failure above'}`);
  const outcomes = await Promise.all(
    running.map(async (child) => ({ child, ...(await stopGracefully(child, options.graceMs)) })),
  );
  for (const { child, exit, killed } of outcomes) {
    // SIGTERM as the exit's signal: it came before the service could handle it (still loading).
    const clean = !killed && (exit.code === 0 || exit.signal === 'SIGTERM');
    if (!clean) failed = true;
    if (killed)
      report(`${child.name} did not stop within ${options.graceMs} ms after SIGTERM: killed${lastLinesOf(child)}`);
    else if (!clean) report(`${child.name} ended with ${describeExit(exit)} while stopping${lastLinesOf(child)}`);
  }
  // Others that ended by themselves before the stop began (two at once, say): failures too.
  for (const child of children)
    if (!running.includes(child) && !reported.has(child)) {
      failed = true;
      reportDeath(child, 'before the stop');
    }
  return failed ? 1 : 0;
}

const noExit: ChildExit = { code: null, signal: null };

function lastLinesOf(child: SupervisedChild): string {
  const lines = child.lastLines();
  return lines.length === 0 ? '; it printed nothing' : `; its last lines:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}
