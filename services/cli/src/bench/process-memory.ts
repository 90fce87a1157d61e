import { readFileSync } from 'node:fs';

/** Resident memory in kB from the text of `/proc/<pid>/status` (its `VmRSS:` line). */
export function vmRssKb(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS line in: ${status.slice(0, 100)}`);
  return Number(match[1]);
}

/** A process's resident memory now, in MB (2^20 bytes); undefined where there is no /proc or no such process. */
export function residentMb(pid: number): number | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  return vmRssKb(status) / 1024;
}
