import { randomBytes } from 'node:crypto';
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

/** One KRaft node that is broker and controller; replication factor 1 everywhere. */
export function renderKafkaProperties(logDir: string): string {
  return renderProperties({
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@${host}:${ports.kafkaController}`,
    listeners: `PLAINTEXT://${host}:${ports.kafka},CONTROLLER://${host}:${ports.kafkaController}`,
    'advertised.listeners': `PLAINTEXT://${host}:${ports.kafka}`,
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
  });
}

/** A KRaft cluster id: 16 random bytes, base64url without padding, as `StorageTool random-uuid` prints. */
export function newClusterId(): string {
  return randomBytes(16).toString('base64url');
}

export function createKafka(ctx: ComponentContext): Component {
  const { paths } = ctx;
  const distDir = join(paths.dist, `kafka-${KAFKA_VERSION}`);
  const logDir = join(paths.data, 'kafka');
  const propsFile = join(paths.conf, 'kafka.properties');
  const log4jFile = join(paths.conf, 'kafka-log4j.properties');
  const logFile = logFileOf(paths, 'kafka');
  const pidFile = pidFileOf(paths, 'kafka');

  const java = (mainClass: string, args: string[], maxHeap: string): { command: string; args: string[] } => ({
    command: findJava(17),
    args: jvmArgs({
      maxHeap,
      systemProperties: { 'log4j.configuration': `file:${log4jFile}`, 'kafka.logs.dir': paths.logs },
      main: { classpath: join(distDir, 'libs', '*'), mainClass },
      args,
    }),
  });

  return {
    name: 'kafka',
    url: `${host}:${ports.kafka}`,
    logFile,
    startTimeoutMs: 180_000,
    livePid: () => livePidFromFile(pidFile, propsFile),
    probe: () => kafkaDescribeCluster(host, ports.kafka),
    async start() {
      const fetched = await ensureDist(distDir, async (dir) => {
        ctx.progress(`kafka: fetching kafka_2.13:${KAFKA_VERSION} with Maven (cached in ~/.m2)`);
        await copyRuntimeClasspath(
          { dir: paths.maven, logFile: join(paths.logs, 'maven.log') },
          'kafka',
          [{ groupId: 'org.apache.kafka', artifactId: 'kafka_2.13', version: KAFKA_VERSION }, ...loggingJars],
          join(dir, 'libs'),
        );
      });
      if (fetched) ctx.progress('kafka: distribution ready');
      mkdirSync(paths.conf, { recursive: true });
      writeFileSync(propsFile, renderKafkaProperties(logDir));
      writeFileSync(
        log4jFile,
        renderLog4jProperties(['kafka.request.logger', 'state.change.logger', 'org.reflections']),
      );
      if (!existsSync(join(logDir, 'meta.properties'))) {
        ctx.progress('kafka: formatting KRaft storage');
        const format = java(
          'kafka.tools.StorageTool',
          ['format', '-t', newClusterId(), '-c', propsFile, '--ignore-formatted'],
          '256m',
        );
        const res = await runToCompletion({ ...format, logFile, timeoutMs: 120_000 });
        if (res.code !== 0) throw new Error(`kafka storage format failed (exit ${res.code})`);
      }
      const pid = spawnDetached({ ...java('kafka.Kafka', [propsFile], '768m'), logFile });
      writePidFile(pidFile, pid);
      return pid;
    },
    async stop(pid) {
      // A controlled shutdown can take a while; SIGKILL only as the last resort.
      await terminate(pid, 30_000);
    },
  };
}
