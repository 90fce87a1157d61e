import { CHAIN_START, linkBreak, type ChainAnchor, type ChainBreakKind, type ChainLink } from './chain-verification';

/** The first broken link of a stream, as an export reports it. */
export interface StreamChainBreak {
  kind: ChainBreakKind;
  version: number;
  offset?: string;
  expected: string;
  actual: string;
}

/** One stream of an export: the exported events' span of its chain and whether the chain held. */
export interface StreamChainSummary {
  stream: string;
  /** Events of the stream exported. */
  events: number;
  /** Version of the first event exported, and the hash it points at: where an offline check takes the chain up. */
  firstVersion: number;
  anchorPrevHash: string;
  /**
   * The version the chain is verified from. 1: from the stream's genesis (version 1, pointing at
   * no hash). Above 1: the read began mid-stream, so the first event exported is checked against
   * its own prev hash (`anchorPrevHash`), which nothing read ties to the events before it.
   */
  verifiedFrom: number;
  lastVersion: number;
  /** The last hash exported: verified when `verified`, from `verifiedFrom` on. */
  lastHash: string;
  verified: boolean;
  firstBreak?: StreamChainBreak;
}

interface StreamState {
  next: ChainAnchor;
  summary: StreamChainSummary;
  firstBreak?: StreamChainBreak;
}

/**
 * Where a stream first seen is taken up: at its genesis (the read covers everything before
 * this event), or at the event itself (the read began mid-log, so earlier versions were not
 * read). A version 1 is taken up at the genesis either way: it must point at no hash.
 */
export type TakeUp = 'genesis' | 'here';

/**
 * Follows the hash chains of many streams one event at a time, as a log is read, without
 * holding the events: each stream from its start, from an anchor (an archive's manifest), or
 * from the first event read (a read that began mid-log). A broken link is kept as the
 * stream's first break and the chain is taken up again from the event that broke it, so one
 * forged event does not hide later ones. Without look-ahead, a version that comes early is
 * reported as a gap.
 */
export class ChainFollower {
  private readonly streams = new Map<string, StreamState>();

  constructor(private readonly anchors: ReadonlyMap<string, ChainAnchor> = new Map()) {}

  /** Checks the next event of `stream`; `takeUp` says where a stream not seen before is verified from. */
  follow(stream: string, link: ChainLink, takeUp: TakeUp = 'genesis'): StreamChainBreak | undefined {
    const { metadata } = link;
    let state = this.streams.get(stream);
    if (!state) {
      const next =
        this.anchors.get(stream) ??
        (takeUp === 'here' && metadata.streamVersion !== CHAIN_START.version
          ? { version: metadata.streamVersion, prevHash: metadata.prevHash }
          : CHAIN_START);
      state = {
        next,
        summary: {
          stream,
          events: 0,
          firstVersion: metadata.streamVersion,
          anchorPrevHash: metadata.prevHash,
          verifiedFrom: next.version,
          lastVersion: 0,
          lastHash: '',
          verified: true,
        },
      };
      this.streams.set(stream, state);
    }
    const broken = linkBreak(link, state.next, () => false);
    const found = broken && {
      ...broken,
      version: metadata.streamVersion,
      ...(link.offset === undefined ? {} : { offset: link.offset }),
    };
    if (found) state.firstBreak ??= found;
    state.next = { version: metadata.streamVersion + 1, prevHash: metadata.hash };
    state.summary.events++;
    state.summary.lastVersion = metadata.streamVersion;
    state.summary.lastHash = metadata.hash;
    return found;
  }

  /** Every stream followed, in the order first seen. */
  summaries(): StreamChainSummary[] {
    return [...this.streams.values()].map(({ summary, firstBreak }) => ({
      ...summary,
      verified: !firstBreak,
      ...(firstBreak ? { firstBreak } : {}),
    }));
  }
}
