import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureDist, untar } from '../dist';
import { httpProbe, type Probe } from '../health';
import { findJava } from '../java';
import { jvmArgs } from '../jvm';
import { copyArtifact } from '../maven';
import { defaultEndpoints, host, ports } from '../ports';
import { logFileOf, pidFileOf, type StackPaths } from '../paths';
import { livePidFromFile, spawnDetached, terminate, writePidFile } from '../processes';
import type { Component, ComponentContext } from './component';

export const APICURIO_VERSION = '3.3.3';
/** Apicurio 3.3 is compiled for Java 21 (class file 65); Java 17 fails with UnsupportedClassVersionError. */
export const APICURIO_MIN_JAVA = 21;

/**
 * Storage is SQL on the project's PostgreSQL (its own database): schema ids survive restarts,
 * and unlike kafkasql they do not depend on a Kafka topic that tests creating and deleting
 * topics could disturb, nor on replaying a journal at every start.
 */
export function registrySystemProperties(
  listen: { httpPort: number; managementPort: number } = {
    httpPort: ports.schemaRegistry,
    managementPort: ports.schemaRegistryManagement,
  },
): Record<string, string> {
  return {
    'quarkus.http.host': host,
    'quarkus.http.port': String(listen.httpPort),
    'quarkus.management.host': host,
    'quarkus.management.port': String(listen.managementPort),
    // Health probes every 500 ms would flood the log.
    'quarkus.http.access-log.enabled': 'false',
    'apicurio.storage.kind': 'sql',
    'apicurio.storage.sql.kind': 'postgresql',
    'apicurio.datasource.url': `jdbc:postgresql://${host}:${ports.postgres}/apicurio_registry`,
    'apicurio.datasource.username': 'verity',
    'apicurio.datasource.password': 'verity',
    // Its default pool keeps 20 connections open; a dev stack needs few.
    'apicurio.datasource.jdbc.initial-size': '2',
    'apicurio.datasource.jdbc.min-size': '2',
    'apicurio.datasource.jdbc.max-size': '10',
    // @kafkajs/confluent-schema-registry checks the subject's compatibility against what it asks for.
    'apicurio.rules.global.compatibility': 'BACKWARD_TRANSITIVE',
  };
}

/** Ready when Quarkus' readiness checks (storage included) all report UP. */
export function registryReady(managementPort: number = ports.schemaRegistryManagement): Promise<Probe> {
  return httpProbe(`http://${host}:${managementPort}/health/ready`, (body) =>
    (JSON.parse(body) as { status?: string }).status === 'UP' ? { ok: true } : { ok: false, detail: body },
  );
}

/** The unpacked registry; exported so a test can run a second instance on the same storage. */
export function registryJar(paths: StackPaths): string {
  return join(paths.dist, `apicurio-registry-${APICURIO_VERSION}`, 'quarkus-run.jar');
}

export function createSchemaRegistry(ctx: ComponentContext): Component {
  const { paths } = ctx;
  const jar = registryJar(paths);
  const distDir = dirname(jar);
  const logFile = logFileOf(paths, 'schema-registry');
  const pidFile = pidFileOf(paths, 'schema-registry');
  return {
    name: 'schema-registry',
    url: defaultEndpoints.schemaRegistryUrl,
    logFile,
    startTimeoutMs: 180_000,
    livePid: () => livePidFromFile(pidFile, jar),
    probe: () => registryReady(),
    async start() {
      await ensureDist(distDir, async (dir) => {
        ctx.progress(
          `schema-registry: fetching apicurio-registry-app:${APICURIO_VERSION} with Maven (cached in ~/.m2)`,
        );
        const artifact = `io.apicurio:apicurio-registry-app:${APICURIO_VERSION}:tar.gz:all`;
        await copyArtifact({ dir: paths.maven, logFile: join(paths.logs, 'maven.log') }, artifact, dir);
        // The archive holds quarkus-run.jar, app/, lib/ and quarkus/ at its top level.
        for (const archive of readdirSync(dir).filter((f) => f.endsWith('.tar.gz'))) {
          await untar(join(dir, archive), dir, logFile);
          rmSync(join(dir, archive));
        }
      });
      const pid = spawnDetached({
        command: findJava(APICURIO_MIN_JAVA),
        args: jvmArgs({ maxHeap: '384m', systemProperties: registrySystemProperties(), main: { jar } }),
        cwd: distDir,
        logFile,
      });
      writePidFile(pidFile, pid);
      return pid;
    },
    async stop(pid) {
      await terminate(pid, 20_000);
    },
  };
}
