/** How far an import is: rows with an outcome, of how many, since when. */
export interface ImportProgress {
  /** Rows with an outcome, those skipped by a checkpoint included. */
  done: number;
  total: number;
  /** Rows this run skipped because a checkpoint says their outcome is known. */
  skipped: number;
  elapsedMs: number;
}

const grouped = (n: number): string => n.toLocaleString('en-US');

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** Rows per second of this run: rows a checkpoint skipped took no time, so they do not count. */
export const rowsPerSecond = (p: ImportProgress): number =>
  p.elapsedMs > 0 ? ((p.done - p.skipped) * 1000) / p.elapsedMs : 0;

/** `12,000/20,000 rows (60.0%)  412 rows/s  ETA 0:19`: one line, for a terminal or a log; `unit` names what is counted. */
export function progressLine(p: ImportProgress, unit = 'rows'): string {
  const rate = rowsPerSecond(p);
  const percent = p.total > 0 ? ((p.done / p.total) * 100).toFixed(1) : '100.0';
  const eta = rate > 0 ? duration((p.total - p.done) / rate) : '-';
  return `${grouped(p.done)}/${grouped(p.total)} ${unit} (${percent}%)  ${Math.round(rate)} ${unit}/s  ETA ${eta}`;
}
