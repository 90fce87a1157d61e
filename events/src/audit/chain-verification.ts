import type { ChainedEventMetadata } from '@verity/core';
import { eventHash, unchained } from '@verity/core';

/** One event of a stream as verification needs it: its headers and the exact value bytes. */
export interface ChainLink {
  /** Kafka offset, reported with a break so the record can be found. */
  offset?: string;
  metadata: ChainedEventMetadata;
  value: Buffer;
}

/**
 * What can be wrong with a stream, checked per event in this order:
 * - `hash_mismatch`: the hash recomputed from the event's own prev hash, metadata and value
 *   differs from its `hash` header: the event was tampered with or copied with changes;
 * - `duplicate_version`: a version already seen appears again;
 * - `out_of_order`: a later version comes before the expected one, which appears further on;
 * - `version_gap`: the expected version is absent: an event is missing;
 * - `prev_hash_mismatch`: the event does not point at the hash of the event before it
 *   (an earlier event was replaced and rehashed, or the event belongs to another chain).
 */
export type ChainBreakKind =
  'hash_mismatch' | 'duplicate_version' | 'out_of_order' | 'version_gap' | 'prev_hash_mismatch';

export interface ChainBreak {
  kind: ChainBreakKind;
  /** Index of the offending event in the list verified (0-based). */
  position: number;
  /** Stream version the offending event claims. */
  version: number;
  offset?: string;
  /** A hash for the hash kinds, a version number for the version kinds. */
  expected: string;
  actual: string;
}

export type ChainReport =
  | { ok: true; events: number; lastVersion: number; lastHash: string }
  | { ok: false; events: number; firstBreak: ChainBreak };

/** Where a chain is taken up: the version expected next and the hash it must point at. */
export interface ChainAnchor {
  version: number;
  prevHash: string;
}

/** A stream's first event: version 1, pointing at no hash. */
export const CHAIN_START: ChainAnchor = { version: 1, prevHash: '' };

/** What is wrong with one link, given the anchor it must continue; undefined when it holds. */
export interface LinkBreak {
  kind: ChainBreakKind;
  expected: string;
  actual: string;
}

/**
 * Checks one event against the link before it. `comesLater` says whether the expected version
 * appears further on (out of order rather than missing); a reader that cannot look ahead
 * passes `() => false` and reports a gap.
 */
export function linkBreak(
  { metadata, value }: ChainLink,
  anchor: ChainAnchor,
  comesLater: (version: number) => boolean,
): LinkBreak | undefined {
  const version = metadata.streamVersion;
  const broken = (kind: ChainBreakKind, expected: string | number, actual: string | number): LinkBreak => ({
    kind,
    expected: String(expected),
    actual: String(actual),
  });
  const recomputed = eventHash(metadata.prevHash, unchained(metadata), value);
  if (recomputed !== metadata.hash) return broken('hash_mismatch', recomputed, metadata.hash);
  if (version !== anchor.version) {
    // Versions before this one were contiguous, so any smaller valid version was already seen.
    if (Number.isInteger(version) && version >= 1 && version < anchor.version)
      return broken('duplicate_version', anchor.version, version);
    return broken(comesLater(anchor.version) ? 'out_of_order' : 'version_gap', anchor.version, version);
  }
  if (metadata.prevHash !== anchor.prevHash) return broken('prev_hash_mismatch', anchor.prevHash, metadata.prevHash);
  return undefined;
}

/**
 * Walks a stream's events in log order from `anchor` (default the stream's start) and reports
 * the first broken link. A chain proves order and integrity up to its last hash; replacing the
 * LAST event and rehashing it goes unnoticed unless that hash is known from elsewhere (e.g. a
 * command reply).
 */
export function verifyChain(events: readonly ChainLink[], anchor: ChainAnchor = CHAIN_START): ChainReport {
  let next = anchor;
  for (const [position, link] of events.entries()) {
    const broken = linkBreak(link, next, (version) =>
      events.slice(position + 1).some((e) => e.metadata.streamVersion === version),
    );
    if (broken)
      return {
        ok: false,
        events: events.length,
        firstBreak: {
          ...broken,
          position,
          version: link.metadata.streamVersion,
          ...(link.offset === undefined ? {} : { offset: link.offset }),
        },
      };
    next = { version: next.version + 1, prevHash: link.metadata.hash };
  }
  return { ok: true, events: events.length, lastVersion: next.version - 1, lastHash: next.prevHash };
}
