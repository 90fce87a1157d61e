/** Reading a service's /metrics (Prometheus text format 0.0.4): what the bench asks of the services. */

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
/** Go's spelling of infinity, which Number() does not read. */
const parseValue = (text: string): number =>
  text === '+Inf' ? Number.POSITIVE_INFINITY : text === '-Inf' ? -Infinity : Number(text);

function samples(text: string, name: string): Sample[] {
  return text.split('\n').flatMap((line) => {
    const match = SAMPLE.exec(line);
    if (!match || match[1] !== name) return [];
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key!] = value!;
    return [{ name, labels, value: parseValue(match[3]!) }];
  });
}

const hasLabels = (sample: Sample, labels: Record<string, string>): boolean =>
  Object.entries(labels).every(([k, v]) => sample.labels[k] === v);

/** The value of the sample of `name` with `labels` (among others); undefined when there is none. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  return samples(text, name).find((s) => hasLabels(s, labels))?.value;
}

/** A histogram's figures: observations, their sum, and the cumulative count at each bucket's upper bound. */
export interface HistogramFigures {
  count: number;
  sum: number;
  buckets: Array<{ le: number; count: number }>;
}

/** The histogram `name` with `labels`; undefined when it has no count. */
export function histogramOf(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): HistogramFigures | undefined {
  const count = metricValue(text, `${name}_count`, labels);
  if (count === undefined) return undefined;
  const buckets = samples(text, `${name}_bucket`)
    .filter((s) => hasLabels(s, labels))
    .map((s) => ({ le: parseValue(s.labels.le ?? ''), count: s.value }))
    .sort((a, b) => a.le - b.le);
  return { count, sum: metricValue(text, `${name}_sum`, labels) ?? Number.NaN, buckets };
}

/** The mean observation; NaN without one. */
export const histogramMean = (h: HistogramFigures): number => (h.count > 0 ? h.sum / h.count : Number.NaN);

/**
 * The upper bound of the first bucket holding the q-quantile (0 < q ≤ 1): at least that
 * share of observations was at most this. A bucket's bound, never an interpolation; Infinity
 * when the quantile lies past the last finite bound, NaN without observations.
 */
export function histogramQuantile(h: HistogramFigures, q: number): number {
  if (h.count === 0) return Number.NaN;
  return h.buckets.find((b) => b.count >= q * h.count)?.le ?? Number.POSITIVE_INFINITY;
}
