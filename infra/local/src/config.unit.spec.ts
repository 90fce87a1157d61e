import {
  createKafka,
  kafkaPropsFile,
  newClusterId,
  renderKafkaProperties,
  stackKafkaPorts,
  type KafkaNode,
} from './components/kafka';
import { renderConnectProperties } from './components/kafka-connect';
import { asPostgresUser, renderPostgresConf } from './components/postgres';
import { redisArgs } from './components/redis';
import { registrySystemProperties } from './components/schema-registry';
import { InfraError } from './errors';
import { parseJavaMajor } from './java';
import { jvmArgs } from './jvm';
import { renderPom } from './maven';
import { stackPaths } from './paths';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const parseProps = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

describe('generated configuration', () => {
  it('makes Kafka a single KRaft node with replication factor 1 for the internal topics', () => {
    const props = parseProps(renderKafkaProperties('/data/kafka'));
    expect(props).toMatchObject({
      'process.roles': 'broker,controller',
      'controller.quorum.voters': '1@127.0.0.1:9093',
      listeners: 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093',
      'log.dirs': '/data/kafka',
      'offsets.topic.replication.factor': '1',
      'transaction.state.log.replication.factor': '1',
      'transaction.state.log.min.isr': '1',
      'group.initial.rebalance.delay.ms': '0',
    });
  });

  it("sizes the broker's request threads by the machine's cores, up to Kafka's defaults", () => {
    const threads = (cores: number) => {
      const props = parseProps(renderKafkaProperties('/data/kafka', stackKafkaPorts, cores));
      return [Number(props['num.network.threads']), Number(props['num.io.threads'])];
    };
    expect(threads(1)).toEqual([1, 2]);
    expect(threads(2)).toEqual([1, 2]);
    expect(threads(4)).toEqual([2, 4]);
    expect(threads(8)).toEqual([3, 8]);
    expect(threads(64)).toEqual([3, 8]);
  });

  it('puts a second Kafka node on the ports it is given, the stack ports staying the default', () => {
    const props = parseProps(renderKafkaProperties('/tmp/spare/data', { broker: 41001, controller: 41002 }));
    expect(props).toMatchObject({
      'controller.quorum.voters': '1@127.0.0.1:41002',
      listeners: 'PLAINTEXT://127.0.0.1:41001,CONTROLLER://127.0.0.1:41002',
      'advertised.listeners': 'PLAINTEXT://127.0.0.1:41001',
      'log.dirs': '/tmp/spare/data',
    });
    expect(stackKafkaPorts).toEqual({ broker: 9092, controller: 9093 });
    const node: KafkaNode = {
      distDir: '/repo/.verity/dist/kafka-3.9.1',
      dataDir: '/tmp/spare/data',
      confDir: '/tmp/spare',
      logsDir: '/tmp/spare',
      logFile: '/tmp/spare/kafka.log',
      ports: { broker: 41001, controller: 41002 },
    };
    // The properties file is the marker on the command line that tells a node's pid apart.
    expect(kafkaPropsFile(node)).toBe('/tmp/spare/kafka.properties');
  });

  it('generates KRaft cluster ids of 16 bytes in base64url', () => {
    const id = newClusterId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
  });

  it('never generates a cluster id that the format tool would take for an option', () => {
    // One id in 64 would start with '-' if nothing prevented it: 2,000 draws miss it by chance once in 10^13.
    const ids = Array.from({ length: 2000 }, () => newClusterId());
    expect(ids.filter((id) => id.startsWith('-'))).toEqual([]);
  });

  it('points Connect at the plugin folder with replication factor 1 storage topics', () => {
    const props = parseProps(renderConnectProperties('/abs/plugins'));
    expect(props).toMatchObject({
      'plugin.path': '/abs/plugins',
      listeners: 'http://127.0.0.1:8083',
      'config.storage.replication.factor': '1',
      'offset.storage.replication.factor': '1',
      'status.storage.replication.factor': '1',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    });
  });

  it('gives PostgreSQL logical WAL on its own loopback port with capped slot retention', () => {
    const conf = renderPostgresConf(5442);
    expect(conf).toContain('wal_level = logical');
    expect(conf).toContain('port = 5442');
    expect(conf).toContain("listen_addresses = '127.0.0.1'");
    expect(conf).toMatch(/max_slot_wal_keep_size = '\d+GB'/);
  });

  it('runs PostgreSQL tools as the postgres user only when root', () => {
    expect(asPostgresUser('/bin/initdb', ['-D', 'x'], true)).toEqual({
      command: 'runuser',
      args: ['-u', 'postgres', '--', '/bin/initdb', '-D', 'x'],
    });
    expect(asPostgresUser('/bin/initdb', ['-D', 'x'], false)).toEqual({ command: '/bin/initdb', args: ['-D', 'x'] });
  });

  it('keeps Redis in the foreground, on loopback, without persistence', () => {
    expect(redisArgs(6380, '/d').join(' ')).toBe(
      '--port 6380 --bind 127.0.0.1 --save  --appendonly no --dir /d --daemonize no',
    );
  });

  it('gives the registry persistent PostgreSQL storage and the global BACKWARD_TRANSITIVE rule', () => {
    expect(registrySystemProperties()).toMatchObject({
      'quarkus.http.port': '8081',
      'apicurio.storage.kind': 'sql',
      'apicurio.storage.sql.kind': 'postgresql',
      'apicurio.datasource.url': 'jdbc:postgresql://127.0.0.1:5442/apicurio_registry',
      'apicurio.rules.global.compatibility': 'BACKWARD_TRANSITIVE',
    });
  });

  it('caps every JVM heap', () => {
    const args = jvmArgs({ maxHeap: '256m', main: { classpath: 'libs/*', mainClass: 'Main' }, args: ['a'] });
    expect(args[0]).toBe('-Xmx256m');
    expect(args.slice(-4)).toEqual(['-cp', 'libs/*', 'Main', 'a']);
  });

  it('renders a pom listing the dependencies to copy', () => {
    const pom = renderPom('kafka', [{ groupId: 'org.apache.kafka', artifactId: 'kafka_2.13', version: '3.9.1' }]);
    expect(pom).toContain('<artifactId>kafka_2.13</artifactId><version>3.9.1</version>');
    expect(pom).toContain('<packaging>pom</packaging>');
  });

  it('reads the JDK major version from its release file', () => {
    expect(parseJavaMajor('IMPLEMENTOR="Debian"\nJAVA_VERSION="17.0.15"\n')).toBe(17);
    expect(parseJavaMajor('JAVA_VERSION="25.0.3"')).toBe(25);
    expect(parseJavaMajor('JAVA_VERSION="1.8.0_402"')).toBe(8);
    expect(parseJavaMajor('nothing')).toBeUndefined();
  });

  it('keeps everything under <root>/.verity', () => {
    const paths = stackPaths('/repo');
    for (const dir of [paths.dist, paths.conf, paths.data, paths.logs, paths.run, paths.maven]) {
      expect(dir.startsWith('/repo/.verity/')).toBe(true);
    }
    expect(createKafka({ paths, progress: () => undefined }).logFile).toBe('/repo/.verity/logs/kafka.log');
  });
});

describe('InfraError', () => {
  it('names the component, the reason and the log file, with the log tail', () => {
    const log = join(mkdtempSync(join(tmpdir(), 'verity-log-')), 'kafka.log');
    writeFileSync(log, Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n'));
    const err = new InfraError({ code: 'UNHEALTHY', component: 'kafka', reason: 'no controller', logFile: log });
    expect(err.message).toContain(`kafka: no controller (log: ${log})`);
    expect(err.message).toContain('line 29');
    expect(err.message).not.toContain('line 9\n');
    expect(err).toMatchObject({ code: 'UNHEALTHY', component: 'kafka', logFile: log });
  });
});
