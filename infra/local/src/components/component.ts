import type { Probe } from '../health';
import type { StackPaths } from '../paths';
import type { ComponentName } from '../types';

export interface ComponentContext {
  paths: StackPaths;
  progress: (line: string) => void;
}

/** One process of the stack: how to start it, probe it, find it and stop it. */
export interface Component {
  readonly name: ComponentName;
  readonly url: string;
  readonly logFile: string;
  /** How long a start may take until healthy (first starts fetch and unpack). */
  readonly startTimeoutMs: number;
  /** The pid of the process `up` started, when it still runs (a stale pid file is removed). */
  livePid(): number | undefined;
  probe(): Promise<Probe>;
  /** Fetches, configures and spawns the process; returns its pid once the pid file is written. */
  start(): Promise<number>;
  stop(pid: number): Promise<void>;
}
