import { Partitioners, type Kafka } from 'kafkajs';
import { countError, toLoadResult, type LoadResult, type MeasuredRun } from './load-result';
import { commandRecord } from './workload';

export interface RawProduceOptions {
  kafka: Kafka;
  name: string;
  topic: string;
  /** Sends in flight at once. */
  connections: number;
  recordsPerSend: number;
  skus: number;
  warmupS: number;
  durationS: number;
}

const elapsedMs = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

/**
 * The limit: kafkajs sends with acks=all from a producer configured as the gateway's
 * (idempotent, 5 in flight, murmur2 partitioner), `connections` sends always in flight.
 * Nothing but the send is timed.
 */
export async function measureRawProduce(options: RawProduceOptions): Promise<LoadResult> {
  const producer = options.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 5,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  let seq = 0;

  const drive = async (durationS: number): Promise<MeasuredRun> => {
    const run = {
      name: options.name,
      operations: 0,
      requests: 0,
      durationS: 0,
      latenciesMs: [] as number[],
      errorsByCause: {} as Record<string, number>,
    };
    const start = process.hrtime.bigint();
    const sender = async (): Promise<void> => {
      while (elapsedMs(start) < durationS * 1000) {
        const messages = Array.from({ length: options.recordsPerSend }, () => commandRecord(seq++, options.skus));
        const sent = process.hrtime.bigint();
        try {
          await producer.send({ topic: options.topic, acks: -1, messages });
          run.latenciesMs.push(elapsedMs(sent));
          run.operations += messages.length;
        } catch (error) {
          countError(run.errorsByCause, (error as Error).name);
        }
        run.requests++;
      }
    };
    await Promise.all(Array.from({ length: options.connections }, sender));
    run.durationS = elapsedMs(start) / 1000;
    return run;
  };

  await producer.connect();
  try {
    if (options.warmupS > 0) await drive(options.warmupS);
    return toLoadResult(await drive(options.durationS));
  } finally {
    await producer.disconnect();
  }
}
