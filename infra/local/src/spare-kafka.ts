import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KAFKA_VERSION, launchKafkaNode, type KafkaNode } from './components/kafka';
import { kafkaDescribeCluster, waitUntilHealthy } from './health';
import { findRepoRoot, stackPaths } from './paths';
import { host } from './ports';
import { isAlive, terminate } from './processes';

/**
 * A throwaway single-node KRaft broker beside the stack's own, for tests that stop and start a
 * broker (the stack's is shared by every suite). It runs the distribution `verity infra up`
 * unpacked, on free ports, with its data in a temporary folder; a restart keeps both, so
 * clients see the same cluster come back.
 */
export interface SpareKafka {
  /** `host:port` to put in VERITY_KAFKA_BROKERS. */
  readonly broker: string;
  /** Holds its data, configuration and log (`kafka.log`). */
  readonly dir: string;
  /** The running broker's pid; undefined while stopped. */
  readonly pid: number | undefined;
  /** Starts it on the same data and ports; resolves once it answers with an active controller. */
  start(): Promise<void>;
  /** SIGTERM (a controlled shutdown, SIGKILL after 30 s) or SIGKILL (a crash); resolves once it has exited. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Stops it with SIGKILL and deletes its folder. */
  remove(): Promise<void>;
}

export interface SpareKafkaOptions {
  /** The repository whose `.verity/dist` holds the unpacked Kafka. Default: the one above the working directory. */
  root?: string;
  /** Where its temporary folder is made. Default `<root>/.verity/tmp`. */
  parentDir?: string;
  /** How long a start may take until healthy. Default 60 s. */
  startTimeoutMs?: number;
}

/** Starts a spare broker and returns it running. */
export async function startSpareKafka(options: SpareKafkaOptions = {}): Promise<SpareKafka> {
  const paths = stackPaths(options.root ?? findRepoRoot());
  const distDir = join(paths.dist, `kafka-${KAFKA_VERSION}`);
  if (!existsSync(join(distDir, '.complete')))
    throw new Error(`no unpacked Kafka in ${distDir}: run \`npx verity infra up\` once first`);
  const parentDir = options.parentDir ?? join(paths.verity, 'tmp');
  mkdirSync(parentDir, { recursive: true });
  const dir = mkdtempSync(join(parentDir, 'spare-kafka-'));
  const [broker, controller] = await freePorts(2);
  const node: KafkaNode = {
    distDir,
    dataDir: join(dir, 'data'),
    confDir: dir,
    logsDir: dir,
    logFile: join(dir, 'kafka.log'),
    ports: { broker: broker!, controller: controller! },
    maxHeap: '512m',
  };
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  let pid: number | undefined;

  const spare: SpareKafka = {
    broker: `${host}:${node.ports.broker}`,
    dir,
    get pid() {
      return pid;
    },
    async start() {
      if (pid !== undefined) throw new Error(`spare kafka ${spare.broker} is running (pid ${pid})`);
      const started = await launchKafkaNode(node, () => undefined);
      pid = started;
      const health = await waitUntilHealthy(() => kafkaDescribeCluster(host, node.ports.broker), {
        timeoutMs,
        stillAlive: () => isAlive(started),
      });
      if (!health.ok) throw new Error(`spare kafka ${spare.broker}: ${health.detail} (log: ${node.logFile})`);
    },
    async stop(signal = 'SIGTERM') {
      const running = pid;
      if (running === undefined) return;
      if (signal === 'SIGTERM') await terminate(running, 30_000);
      else {
        process.kill(running, 'SIGKILL');
        while (isAlive(running)) await sleep(50);
      }
      pid = undefined;
    },
    async remove() {
      await spare.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await spare.start();
  } catch (error) {
    await spare.remove();
    throw error;
  }
  return spare;
}

/** Distinct ports nothing listens on now: all held open together, so the OS cannot hand one out twice. */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, host, resolve);
      });
    }
    return servers.map((s) => {
      const address = s.address();
      if (typeof address !== 'object' || !address) throw new Error('the OS gave no port');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}
