import { Partitioners, type PartitionMetadata } from 'kafkajs';

/**
 * The partition of a stream's commands, events and state: the gateway's producer hashes keys
 * with murmur2_random, the same hash as this Java-compatible partitioner.
 */
export function partitionOfStream(streamId: string, partitions: number): number {
  const partitionOf = Partitioners.DefaultPartitioner();
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    partitionErrorCode: 0,
    leader: 0,
    replicas: [0],
    isr: [0],
  }));
  return partitionOf({ topic: '', partitionMetadata, message: { key: streamId, value: null } });
}

/** `perPartition` SKUs of a tenant whose streams land on each partition, partition by partition. */
export function skusOnEveryPartition(tenant: string, partitions: number, perPartition: number): string[][] {
  const skus: string[][] = Array.from({ length: partitions }, () => []);
  for (let i = 0; skus.some((s) => s.length < perPartition); i++) {
    const sku = `SKU-${String(i).padStart(3, '0')}`;
    const partition = partitionOfStream(`${tenant}/${sku}`, partitions);
    if (skus[partition]!.length < perPartition) skus[partition]!.push(sku);
  }
  return skus;
}
