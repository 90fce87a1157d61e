import type { TopicPosition } from '@verity/events';
import { UsageError } from './errors';

// A date, optionally with a time and zone: what an operator types, and what ce_time holds.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** `--from`/`--to`: an offset (every partition's) or an ISO 8601 instant. */
export function parsePosition(flag: string, value: string): TopicPosition {
  if (/^\d+$/.test(value)) return { kind: 'offset', offset: BigInt(value) };
  const ms = ISO_TIME.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new UsageError(`${flag} ${value}: an offset (0, 1, ...) or an ISO 8601 time`);
  return { kind: 'time', ms };
}

/** Refuses a range whose end is before its start when both are of the same kind. */
export function checkRangeOrder(from: TopicPosition, to: TopicPosition): void {
  const backwards =
    (from.kind === 'offset' && to.kind === 'offset' && to.offset < from.offset) ||
    (from.kind === 'time' && to.kind === 'time' && to.ms < from.ms);
  if (backwards) throw new UsageError('--to is before --from');
}

/** A position as a person reads it. */
export function describePosition(position: TopicPosition): string {
  if (position.kind === 'offset') return `offset ${position.offset}`;
  if (position.kind === 'time') return new Date(position.ms).toISOString();
  return position.kind;
}
