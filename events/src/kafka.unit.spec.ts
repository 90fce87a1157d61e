import { Writable } from 'node:stream';
import { createKafka } from './kafka';
import { createLogger } from './logger';

/** A kafkajs client logging into an array, each record as pino wrote it. */
function loggedKafka() {
  const lines: { level: number; msg: string; namespace?: string; error?: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as (typeof lines)[number]);
      done();
    },
  });
  const kafka = createKafka({
    brokers: ['127.0.0.1:1'],
    clientId: 'log-test',
    logger: createLogger('log-test', 'debug', destination),
  });
  return { kafka, lines };
}

const WARN = 40;
const ERROR = 50;

describe('kafkajs records in the JSON log', () => {
  it("logs a request's error answer, which its caller retries, as a warning", () => {
    const { kafka, lines } = loggedKafka();
    kafka.logger().namespace('Connection').error('Response ListOffsets(key: 2, version: 3)', {
      error: 'This server is not the leader for that topic-partition',
      correlationId: 6,
    });
    expect(lines).toEqual([
      expect.objectContaining({
        level: WARN,
        namespace: 'Connection',
        msg: 'Response ListOffsets(key: 2, version: 3)',
        error: 'This server is not the leader for that topic-partition',
      }),
    ]);
  });

  it("keeps kafkajs' other errors at error", () => {
    const { kafka, lines } = loggedKafka();
    kafka.logger().namespace('Consumer').error('Crash: KafkaJSNumberOfRetriesExceeded', { groupId: 'g' });
    kafka.logger().namespace('Connection').error('Connection error: connect ECONNREFUSED', {});
    expect(lines.map((l) => [l.namespace, l.level])).toEqual([
      ['Consumer', ERROR],
      ['Connection', ERROR],
    ]);
  });
});
