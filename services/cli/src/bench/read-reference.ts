import { join } from 'node:path';
import { VerityError } from '@verity/core';
import { sleep } from '@verity/events';
import { spawnNodeChild } from '../launcher/child-process';
import { freePort } from '../launcher/free-port';
import { probe } from '../launcher/ready-probe';
import { PARENT_WATCH } from '../launcher/service-processes';
import { describeExit } from '../launcher/stop';

/** The reference server, compiled next to this file. */
const SERVER = join(__dirname, 'read-reference-server.js');
const START_TIMEOUT_MS = 15_000;
const PROBE_INTERVAL_MS = 100;
const STOP_GRACE_MS = 5_000;

export interface ReadReference {
  /** Where it answers, on 127.0.0.1. */
  url: string;
  pid: number;
  /** SIGTERM, SIGKILL after a grace period; once, however often it is called. */
  stop(): Promise<void>;
}

/**
 * Starts the reads' reference (read-reference-server.ts) as a process of its own on a free
 * port, reading `redisUrl` under `keyPrefix`; resolves once it answers /health. Like the
 * services under test it stops itself should the bench die (the parent watch).
 */
export async function startReadReference(
  redisUrl: string,
  keyPrefix: string,
  progress: (message: string) => void,
): Promise<ReadReference> {
  const port = await freePort();
  const child = spawnNodeChild({
    name: 'read-reference',
    script: SERVER,
    args: [String(port), redisUrl, keyPrefix],
    env: process.env,
    nodeArgs: ['--require', PARENT_WATCH],
    detached: true,
    ipc: true,
    onLine: (line) => progress(`read-reference: ${line}`),
  });
  let stopping: Promise<void> | undefined;
  const reference: ReadReference = {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    stop: () => (stopping ??= child.stop(STOP_GRACE_MS).then(() => undefined)),
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exit)
      throw new VerityError('bench_reference_ended', `the read reference ended at start (${describeExit(child.exit)})`);
    const answer = await probe(reference.url, '/health', 1000);
    if (answer.ok) return reference;
    if (Date.now() >= deadline) {
      await reference.stop();
      throw new VerityError('bench_reference_not_ready', `the read reference did not answer: ${answer.answer}`);
    }
    await sleep(PROBE_INTERVAL_MS);
  }
}
