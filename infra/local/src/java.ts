import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Major version from a JDK's `release` file line JAVA_VERSION="17.0.15" (or "1.8.0_402"). */
export function parseJavaMajor(release: string): number | undefined {
  const match = /^JAVA_VERSION="(\d+)(?:\.(\d+))?/m.exec(release);
  if (!match?.[1]) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] ? Number(match[2]) : first;
}

interface Jdk {
  home: string;
  major: number;
}

function installedJdks(): Jdk[] {
  const homes = new Set<string>();
  if (process.env.JAVA_HOME) homes.add(process.env.JAVA_HOME);
  const jvmDir = '/usr/lib/jvm';
  if (existsSync(jvmDir)) for (const entry of readdirSync(jvmDir)) homes.add(join(jvmDir, entry));
  const jdks: Jdk[] = [];
  for (const home of homes) {
    const release = join(home, 'release');
    const major = existsSync(release) ? parseJavaMajor(readFileSync(release, 'utf8')) : undefined;
    if (major !== undefined && existsSync(join(home, 'bin', 'java'))) jdks.push({ home, major });
  }
  return jdks.sort((a, b) => a.major - b.major);
}

/**
 * The `java` binary of the oldest installed JDK that is at least `minMajor`. Kafka and
 * Debezium are built for 17; Apicurio Registry 3.3 needs 21 (the machine's second JDK).
 */
export function findJava(minMajor: number): string {
  const jdk = installedJdks().find((j) => j.major >= minMajor);
  if (!jdk) throw new Error(`no JDK ${minMajor}+ found in $JAVA_HOME or /usr/lib/jvm`);
  return join(jdk.home, 'bin', 'java');
}
