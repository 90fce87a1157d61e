import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import type { Machine } from './report';

/** What the figures were measured on, and how busy it was at the start. */
export function machine(): Machine {
  const cores = cpus();
  return {
    cpus: cores.length,
    cpuModel: cores[0]?.model ?? 'unknown',
    totalMemoryMb: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    platform: `${platform()} ${release()}`,
    loadAverage: loadavg(),
  };
}
