import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDist, untar } from '../dist';
import { httpProbe } from '../health';
import { findJava } from '../java';
import { jvmArgs, renderLog4jProperties, renderProperties } from '../jvm';
import { copyArtifact, copyRuntimeClasspath } from '../maven';
import { defaultEndpoints, host, ports } from '../ports';
import { logFileOf, pidFileOf } from '../paths';
import { livePidFromFile, spawnDetached, terminate, writePidFile } from '../processes';
import type { Component, ComponentContext } from './component';
import { KAFKA_VERSION, loggingJars } from './kafka';

export const DEBEZIUM_VERSION = '3.2.3.Final';
export const POSTGRES_CONNECTOR_CLASS = 'io.debezium.connector.postgresql.PostgresConnector';

/** A distributed worker whose state lives in three compacted topics, replication factor 1. */
export function renderConnectProperties(pluginPath: string): string {
  return renderProperties({
    'bootstrap.servers': `${host}:${ports.kafka}`,
    'group.id': 'verity-connect',
    listeners: `http://${host}:${ports.kafkaConnect}`,
    'rest.advertised.host.name': host,
    'rest.advertised.port': ports.kafkaConnect,
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    // Plain JSON payloads; a connector can turn schemas on in its own config.
    'key.converter.schemas.enable': false,
    'value.converter.schemas.enable': false,
    'config.storage.topic': 'verity-connect-configs',
    'offset.storage.topic': 'verity-connect-offsets',
    'status.storage.topic': 'verity-connect-status',
    'config.storage.replication.factor': 1,
    'offset.storage.replication.factor': 1,
    'status.storage.replication.factor': 1,
    'offset.storage.partitions': 5,
    'status.storage.partitions': 1,
    // Source offsets flushed often: fewer repeated changes after a crash.
    'offset.flush.interval.ms': 5000,
    'plugin.path': pluginPath,
  });
}

export function createKafkaConnect(ctx: ComponentContext): Component {
  const { paths } = ctx;
  const distDir = join(paths.dist, `kafka-connect-${KAFKA_VERSION}`);
  const pluginDir = join(paths.dist, `connect-plugins-debezium-${DEBEZIUM_VERSION}`);
  const propsFile = join(paths.conf, 'connect.properties');
  const log4jFile = join(paths.conf, 'connect-log4j.properties');
  const logFile = logFileOf(paths, 'kafka-connect');
  const pidFile = pidFileOf(paths, 'kafka-connect');
  const maven = { dir: paths.maven, logFile: join(paths.logs, 'maven.log') };
  return {
    name: 'kafka-connect',
    url: defaultEndpoints.kafkaConnectUrl,
    logFile,
    startTimeoutMs: 240_000,
    livePid: () => livePidFromFile(pidFile, propsFile),
    // Ready only once the REST API lists the Debezium connector, i.e. plugin scanning is done.
    probe: () =>
      httpProbe(`${defaultEndpoints.kafkaConnectUrl}/connector-plugins`, (body) =>
        (JSON.parse(body) as Array<{ class: string }>).some((p) => p.class === POSTGRES_CONNECTOR_CLASS)
          ? { ok: true }
          : { ok: false, detail: `${POSTGRES_CONNECTOR_CLASS} not among the plugins` },
      ),
    async start() {
      await ensureDist(distDir, async (dir) => {
        ctx.progress(`kafka-connect: fetching connect-runtime:${KAFKA_VERSION} with Maven (cached in ~/.m2)`);
        await copyRuntimeClasspath(
          maven,
          'kafka-connect',
          [{ groupId: 'org.apache.kafka', artifactId: 'connect-runtime', version: KAFKA_VERSION }, ...loggingJars],
          join(dir, 'libs'),
        );
      });
      await ensureDist(pluginDir, async (dir) => {
        ctx.progress(`kafka-connect: fetching debezium-connector-postgres:${DEBEZIUM_VERSION}`);
        await copyArtifact(maven, `io.debezium:debezium-connector-postgres:${DEBEZIUM_VERSION}:tar.gz:plugin`, dir);
        // Unpacks to debezium-connector-postgres/, one plugin folder under plugin.path.
        for (const archive of readdirSync(dir).filter((f) => f.endsWith('.tar.gz'))) {
          await untar(join(dir, archive), dir, logFile);
          rmSync(join(dir, archive));
        }
      });
      mkdirSync(paths.conf, { recursive: true });
      writeFileSync(propsFile, renderConnectProperties(pluginDir));
      writeFileSync(log4jFile, renderLog4jProperties(['org.reflections', 'org.apache.kafka.clients']));
      const pid = spawnDetached({
        command: findJava(17),
        args: jvmArgs({
          maxHeap: '512m',
          systemProperties: { 'log4j.configuration': `file:${log4jFile}` },
          main: { classpath: join(distDir, 'libs', '*'), mainClass: 'org.apache.kafka.connect.cli.ConnectDistributed' },
          args: [propsFile],
        }),
        logFile,
      });
      writePidFile(pidFile, pid);
      return pid;
    },
    async stop(pid) {
      await terminate(pid, 30_000);
    },
  };
}
