import { Partitioners, type PartitionMetadata } from 'kafkajs';

// The gateway's producer uses this partitioner (Java's murmur2), and the processor writes a
// stream's events to the partition of its commands: the same function finds them again.
const partitioner = Partitioners.DefaultPartitioner();

/** The partition holding every record keyed by `streamId`, for a topic of `partitionCount` partitions. */
export function streamPartition(streamId: string, partitionCount: number): number {
  const partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId): PartitionMetadata => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
  }));
  return partitioner({ topic: '', partitionMetadata, message: { key: streamId, value: null } });
}
