import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ComponentName } from './types';

/** The repository root: the nearest ancestor whose package.json declares workspaces. */
export function findRepoRoot(start: string = process.cwd()): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && 'workspaces' in (JSON.parse(readFileSync(pkg, 'utf8')) as object)) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json with "workspaces" above ${start}`);
  }
}

/** Everything the stack writes lives under <root>/.verity (ignored by git). */
export interface StackPaths {
  root: string;
  verity: string;
  /** Unpacked distributions and classpaths. */
  dist: string;
  /** Generated poms and the Maven log. */
  maven: string;
  /** Generated configuration files. */
  conf: string;
  data: string;
  logs: string;
  /** Pid files and the lock serialising `up`/`down`. */
  run: string;
}

export function stackPaths(root: string): StackPaths {
  const verity = join(root, '.verity');
  return {
    root,
    verity,
    dist: join(verity, 'dist'),
    maven: join(verity, 'maven'),
    conf: join(verity, 'conf'),
    data: join(verity, 'data'),
    logs: join(verity, 'logs'),
    run: join(verity, 'run'),
  };
}

export const logFileOf = (paths: StackPaths, name: ComponentName): string => join(paths.logs, `${name}.log`);
export const pidFileOf = (paths: StackPaths, name: ComponentName): string => join(paths.run, `${name}.pid`);
