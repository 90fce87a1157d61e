/** How a process ended: `code` when it exited, `signal` when a signal ended it. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What stopping a process needs of it. */
export interface Signalable {
  signal(signal: NodeJS.Signals): void;
  /** Resolves once the process has ended, whoever ended it. */
  readonly exited: Promise<ChildExit>;
}

export interface StopOutcome {
  exit: ChildExit;
  /** It did not end within the grace period and was sent SIGKILL. */
  killed: boolean;
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`; resolves once it has ended. */
export async function stopGracefully(target: Signalable, graceMs: number): Promise<StopOutcome> {
  let killed = false;
  target.signal('SIGTERM');
  const escalate = setTimeout(() => {
    killed = true;
    target.signal('SIGKILL');
  }, graceMs);
  try {
    return { exit: await target.exited, killed };
  } finally {
    clearTimeout(escalate);
  }
}

export function describeExit(exit: ChildExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}
