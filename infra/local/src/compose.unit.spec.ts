import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { ports } from './ports';

const composeFile = join(__dirname, '..', '..', 'docker-compose.yml');

interface ComposeFile {
  services: Record<string, { image?: string; ports?: string[] }>;
}

function load(): ComposeFile {
  const doc = parseDocument(readFileSync(composeFile, 'utf8'));
  expect(doc.errors).toEqual([]);
  return doc.toJS() as ComposeFile;
}

/** "host:container" mappings of a service, as [host, container] numbers. */
function publishedPorts(compose: ComposeFile, service: string): Array<[number, number]> {
  return (compose.services[service]?.ports ?? []).map((mapping) => {
    const [hostPort, containerPort] = mapping.split(':').map(Number);
    return [hostPort ?? NaN, containerPort ?? NaN];
  });
}

describe('infra/docker-compose.yml', () => {
  it('is valid YAML where every service names an image', () => {
    const compose = load();
    for (const [name, service] of Object.entries(compose.services))
      expect([name, typeof service.image]).toEqual([name, 'string']);
  });

  it('publishes the same host ports as the local stack', () => {
    const compose = load();
    expect(publishedPorts(compose, 'kafka')).toEqual([[ports.kafka, 9092]]);
    expect(publishedPorts(compose, 'schema-registry')).toEqual([[ports.schemaRegistry, 8081]]);
    expect(publishedPorts(compose, 'kafka-connect')).toEqual([[ports.kafkaConnect, 8083]]);
    expect(publishedPorts(compose, 'postgres')).toEqual([[ports.postgres, 5432]]);
    expect(publishedPorts(compose, 'redis')).toEqual([[ports.redis, 6379]]);
    expect(publishedPorts(compose, 'prometheus')).toEqual([[9090, 9090]]);
    expect(publishedPorts(compose, 'grafana')).toEqual([[3000, 3000]]);
  });

  it('has a Prometheus config scraping the four services', () => {
    const prometheus = parseDocument(readFileSync(join(composeFile, '..', 'prometheus', 'prometheus.yml'), 'utf8'));
    expect(prometheus.errors).toEqual([]);
    const targets = JSON.stringify(prometheus.toJS());
    for (const port of [8080, 8090, 8091, 8092]) expect(targets).toContain(`host.docker.internal:${port}`);
  });
});
