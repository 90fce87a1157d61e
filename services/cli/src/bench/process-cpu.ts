import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times (USER_HZ): 100 on Linux whatever the kernel's HZ. */
const TICKS_PER_S = 100;

/**
 * The fields of a `/proc/<pid>/stat` text after the command name (field 2), which may hold
 * spaces and parentheses: they are read after its last `)`. The state is the first of them.
 */
const fieldsAfterName = (stat: string): string[] => stat.slice(stat.lastIndexOf(')') + 2).split(' ');

/** User plus system CPU time in ms from the text of `/proc/<pid>/stat`. */
export function statCpuMs(stat: string): number {
  const fields = fieldsAfterName(stat);
  // utime and stime are fields 14 and 15 of the file, 12th and 13th after the name.
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (!Number.isFinite(ticks)) throw new Error(`not a /proc stat line: ${stat.slice(0, 100)}`);
  return (ticks * 1000) / TICKS_PER_S;
}

/** The pids of a process's children, from /proc (empty where there is none). */
export function childPids(parent: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
  return entries.map(Number).filter((pid) => {
    try {
      // The parent's pid is the second field after the command name.
      return Number(fieldsAfterName(readFileSync(`/proc/${pid}/stat`, 'utf8'))[1]) === parent;
    } catch {
      return false;
    }
  });
}

/** CPU time a process has used so far, in ms; undefined where there is no /proc (not Linux) or no such process. */
export function processCpuMs(pid: number): number | undefined {
  try {
    return statCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Starts counting a process's CPU time; `perRequestUs(n)` is what it used since, over n
 * requests, in µs (undefined without /proc). Unlike throughput it does not move when other
 * work on the machine takes the cores, so it compares two servers measured one after the other.
 */
export function cpuMeter(pid: number | undefined): { perRequestUs(requests: number): number | undefined } {
  const start = pid === undefined ? undefined : processCpuMs(pid);
  return {
    perRequestUs(requests) {
      if (pid === undefined || start === undefined || requests === 0) return undefined;
      const end = processCpuMs(pid);
      return end === undefined ? undefined : ((end - start) * 1000) / requests;
    },
  };
}

/**
 * Named groups of processes whose CPU is counted together (`gateway`, `kafka`, `postgres`...),
 * asked at each reading: a group may gain processes in between (PostgreSQL's backends of new
 * pooled connections).
 */
export type ProcessGroups = () => Readonly<Record<string, readonly number[]>>;

/** CPU time so far of each process of each named group, in ms by pid; a process gone is left out. */
function cpuOf(groups: ProcessGroups): Map<string, Map<number, number>> {
  const used = new Map<string, Map<number, number>>();
  for (const [name, pids] of Object.entries(groups()))
    used.set(
      name,
      new Map(
        pids.flatMap((pid): [number, number][] => {
          const ms = processCpuMs(pid);
          return ms === undefined ? [] : [[pid, ms]];
        }),
      ),
    );
  return used;
}

/**
 * µs of each group's CPU per command between two readings of `cpuOf`: a process read both
 * times counts what it used in between, one first read after counts all it used (it started in
 * between), one gone by then is left out; so is a group not read before.
 */
export function cpuPerCommand(
  before: ReadonlyMap<string, ReadonlyMap<number, number>>,
  after: ReadonlyMap<string, ReadonlyMap<number, number>>,
  commands: number,
): Record<string, number> | undefined {
  if (commands === 0) return undefined;
  const per = [...after].flatMap(([name, pids]): [string, number][] => {
    const start = before.get(name);
    if (start === undefined || pids.size === 0) return [];
    const ms = [...pids].reduce((sum, [pid, end]) => sum + end - (start.get(pid) ?? 0), 0);
    return [[name, (ms * 1000) / commands]];
  });
  return per.length > 0 ? Object.fromEntries(per) : undefined;
}

/** Starts counting the groups' CPU (none without groups); `perCommand(n)` is each group's since, in µs per command. */
export function countCpu(groups: ProcessGroups = () => ({})): {
  perCommand(commands: number): Record<string, number> | undefined;
} {
  const before = cpuOf(groups);
  return { perCommand: (commands) => cpuPerCommand(before, cpuOf(groups), commands) };
}
