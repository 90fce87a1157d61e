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
  /** Events of the stream counted (those in the exported range). */
  events: number;
  /** Version of the first event counted, and the hash it points at: where an offline check takes the chain up. */
  firstVersion: number;
  anchorPrevHash: string;
  lastVersion: number;
  /** The last hash counted: verified when `verified`, from the stream's first event (or its anchor) on. */
  lastHash: string;
  verified: boolean;
  firstBreak?: StreamChainBreak;
}

interface StreamState {
  next: ChainAnchor;
  summary?: StreamChainSummary;
  firstBreak?: StreamChainBreak;
}

/**
 * Follows the hash chains of many streams one event at a time, as a log is read, without
 * holding the events: each stream from its start, or from an anchor (an export's first event
 * of a range). A broken link is kept as the stream's first break and the chain is taken up
 * again from the event that broke it, so one forged event does not hide later ones. Without
 * look-ahead, a version that comes early is reported as a gap.
 */
export class ChainFollower {
  private readonly streams = new Map<string, StreamState>();

  constructor(private readonly anchors: ReadonlyMap<string, ChainAnchor> = new Map()) {}

  /** Checks the next event of `stream`; `counted` marks it as one of the events the summary spans. */
  follow(stream: string, link: ChainLink, counted = true): StreamChainBreak | undefined {
    let state = this.streams.get(stream);
    if (!state) {
      state = { next: this.anchors.get(stream) ?? CHAIN_START };
      this.streams.set(stream, state);
    }
    const { metadata } = link;
    const broken = linkBreak(link, state.next, () => false);
    const found = broken && {
      ...broken,
      version: metadata.streamVersion,
      ...(link.offset === undefined ? {} : { offset: link.offset }),
    };
    if (found) state.firstBreak ??= found;
    state.next = { version: metadata.streamVersion + 1, prevHash: metadata.hash };
    if (counted) {
      state.summary ??= {
        stream,
        events: 0,
        firstVersion: metadata.streamVersion,
        anchorPrevHash: metadata.prevHash,
        lastVersion: 0,
        lastHash: '',
        verified: true,
      };
      state.summary.events++;
      state.summary.lastVersion = metadata.streamVersion;
      state.summary.lastHash = metadata.hash;
    }
    return found;
  }

  /** Every stream with counted events, in the order first seen. */
  summaries(): StreamChainSummary[] {
    return [...this.streams.values()].flatMap(({ summary, firstBreak }) =>
      summary ? [{ ...summary, verified: !firstBreak, ...(firstBreak ? { firstBreak } : {}) }] : [],
    );
  }
}
