import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDist } from '../dist';
import { kafkaDescribeCluster } from '../health';
import { findJava } from '../java';
import { jvmArgs, renderLog4jProperties, renderProperties } from '../jvm';
import { copyRuntimeClasspath, type Coordinates } from '../maven';
import { host, ports } from '../ports';
import { logFileOf, pidFileOf } from '../paths';
import { livePidFromFile, runToCompletion, spawnDetached, terminate, writePidFile } from '../processes';
import type { Component, ComponentContext } from './component';

export const KAFKA_VERSION = '3.9.1';

/** Logging is not among kafka_2.13's dependencies: reload4j behind slf4j, as Kafka's own distribution. */
export const loggingJars: Coordinates[] = [
  { groupId: 'org.slf4j', artifactId: 'slf4j-reload4j', version: '1.7.36' },
  { groupId: 'ch.qos.reload4j', artifactId: 'reload4j', version: '1.2.25' },
];

/** The loopback ports a KRaft node listens on: clients on `broker`, the quorum on `controller`. */
export interface KafkaPorts {
  broker: number;
  controller: number;
}

/** The stack's own broker's ports. */
export const stackKafkaPorts: KafkaPorts = { broker: ports.kafka, controller: ports.kafkaController };

/**
 * One KRaft node that is broker and controller; replication factor 1 everywhere. Its request
 * threads follow the machine's cores (`cores`) instead of Kafka's server defaults of 3 network
 * and 8 I/O threads: on 2 cores, 1 and 2 threads measured 1.15 to 1.2 times the commands a
 * second of the defaults and a fifth less broker CPU a command (`verity bench`); from 8 cores
 * on they are the defaults again.
 */
export function renderKafkaProperties(
  logDir: string,
  kafkaPorts: KafkaPorts = stackKafkaPorts,
  cores: number = availableParallelism(),
): string {
  return renderProperties({
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@${host}:${kafkaPorts.controller}`,
    listeners: `PLAINTEXT://${host}:${kafkaPorts.broker},CONTROLLER://${host}:${kafkaPorts.controller}`,
    'advertised.listeners': `PLAINTEXT://${host}:${kafkaPorts.broker}`,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': logDir,
    'num.partitions': 1,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    // Fewer internal partitions than the default 50: the first group join is faster on one node.
    'offsets.topic.num.partitions': 10,
    // Transactions do not start without these on a single node.
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 10,
    // Avoids a 3 s wait on every consumer group join.
    'group.initial.rebalance.delay.ms': 0,
    // Services create their topics with the admin client (kafkajs cannot subscribe before that on KRaft).
    'auto.create.topics.enable': false,
    'num.network.threads': Math.min(3, Math.max(1, Math.floor(cores / 2))),
    'num.io.threads': Math.min(8, Math.max(2, cores)),
  });
}

/**
 * A KRaft cluster id: 16 random bytes, base64url without padding, as `StorageTool random-uuid`
 * prints. Like Kafka's `Uuid.randomUuid`, never one that starts with `-`: `kafka-storage format -t`
 * would read it as an option and refuse to format (1 start in 64 otherwise).
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Where one KRaft node keeps its files and listens; the stack's broker is one, a test's spare broker another. */
export interface KafkaNode {
  /** The unpacked distribution (`<dist>/kafka-<version>`, its jars under `libs/`). */
  distDir: string;
  /** `log.dirs`: the node's data; formatted on the first start. */
  dataDir: string;
  /** Where the generated `kafka.properties` and `kafka-log4j.properties` go. */
  confDir: string;
  /** `kafka.logs.dir` of the JVM. */
  logsDir: string;
  /** The node's stdout and stderr. */
  logFile: string;
  ports: KafkaPorts;
  /** Heap cap of the broker's JVM. Default 768m. */
  maxHeap?: string;
}

/** The generated properties file: also the marker on the node's command line that tells its pid apart. */
export const kafkaPropsFile = (node: KafkaNode): string => join(node.confDir, 'kafka.properties');

/**
 * Writes the node's configuration, formats its storage on the first start and spawns the
 * broker detached; returns its pid. Another start on the same data dir and ports resumes it.
 */
export async function launchKafkaNode(node: KafkaNode, progress: (line: string) => void): Promise<number> {
  const propsFile = kafkaPropsFile(node);
  const log4jFile = join(node.confDir, 'kafka-log4j.properties');
  const java = (mainClass: string, args: string[], maxHeap: string): { command: string; args: string[] } => ({
    command: findJava(17),
    args: jvmArgs({
      maxHeap,
      systemProperties: { 'log4j.configuration': `file:${log4jFile}`, 'kafka.logs.dir': node.logsDir },
      main: { classpath: join(node.distDir, 'libs', '*'), mainClass },
      args,
    }),
  });

  mkdirSync(node.confDir, { recursive: true });
  writeFileSync(propsFile, renderKafkaProperties(node.dataDir, node.ports));
  writeFileSync(log4jFile, renderLog4jProperties(['kafka.request.logger', 'state.change.logger', 'org.reflections']));
  if (!existsSync(join(node.dataDir, 'meta.properties'))) {
    progress('kafka: formatting KRaft storage');
    const format = java(
      'kafka.tools.StorageTool',
      ['format', '-t', newClusterId(), '-c', propsFile, '--ignore-formatted'],
      '256m',
    );
    const res = await runToCompletion({ ...format, logFile: node.logFile, timeoutMs: 120_000 });
    if (res.code !== 0) throw new Error(`kafka storage format failed (exit ${res.code}): ${res.output.slice(-2000)}`);
  }
  return spawnDetached({ ...java('kafka.Kafka', [propsFile], node.maxHeap ?? '768m'), logFile: node.logFile });
}

export function createKafka(ctx: ComponentContext): Component {
  const { paths } = ctx;
  const node: KafkaNode = {
    distDir: join(paths.dist, `kafka-${KAFKA_VERSION}`),
    dataDir: join(paths.data, 'kafka'),
    confDir: paths.conf,
    logsDir: paths.logs,
    logFile: logFileOf(paths, 'kafka'),
    ports: stackKafkaPorts,
  };
  const pidFile = pidFileOf(paths, 'kafka');

  return {
    name: 'kafka',
    url: `${host}:${node.ports.broker}`,
    logFile: node.logFile,
    startTimeoutMs: 180_000,
    livePid: () => livePidFromFile(pidFile, kafkaPropsFile(node)),
    probe: () => kafkaDescribeCluster(host, node.ports.broker),
    async start() {
      const fetched = await ensureDist(node.distDir, async (dir) => {
        ctx.progress(`kafka: fetching kafka_2.13:${KAFKA_VERSION} with Maven (cached in ~/.m2)`);
        await copyRuntimeClasspath(
          { dir: paths.maven, logFile: join(paths.logs, 'maven.log') },
          'kafka',
          [{ groupId: 'org.apache.kafka', artifactId: 'kafka_2.13', version: KAFKA_VERSION }, ...loggingJars],
          join(dir, 'libs'),
        );
      });
      if (fetched) ctx.progress('kafka: distribution ready');
      const pid = await launchKafkaNode(node, ctx.progress);
      writePidFile(pidFile, pid);
      return pid;
    },
    async stop(pid) {
      // A controlled shutdown can take a while; SIGKILL only as the last resort.
      await terminate(pid, 30_000);
    },
  };
}
