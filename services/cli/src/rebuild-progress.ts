/** Where a rebuild is, for its progress line. */
export interface RebuildProgress {
  projection: string;
  generation: number;
  /** Offsets of the events topics applied so far (sum over partitions). */
  done: bigint;
  /** Offsets up to the end of the topics (sum over partitions). */
  total: bigint;
  /** Offsets applied per second over the last interval. */
  perS: number;
}

/** Seconds left at `perS`, undefined when nothing moves. */
export function etaSeconds(remaining: bigint, perS: number): number | undefined {
  if (remaining <= 0n) return 0;
  if (!(perS > 0)) return undefined;
  return Number(remaining) / perS;
}

const duration = (s: number | undefined): string => {
  if (s === undefined) return '?';
  if (s < 60) return `${Math.ceil(s)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.ceil(s - m * 60)} s`;
};

/** `inventory-stock g2: 340000 of 1000000 events (34%), 52000 events/s, ETA 13 s` */
export function progressLine(p: RebuildProgress): string {
  const remaining = p.total - p.done;
  const percent = p.total > 0n ? Number((p.done * 1000n) / p.total) / 10 : 100;
  return `${p.projection} g${p.generation}: ${p.done} of ${p.total} events (${percent}%), ${Math.round(p.perS)} events/s, ETA ${duration(etaSeconds(remaining, p.perS))}`;
}
