import type { ImportCounts } from '@verity/connector-import';

/** Exit code of an import every row of which has an outcome, some of them rejected or invalid (see the report). */
export const ROWS_REFUSED_EXIT_CODE = 3;
/** Exit code of an import stopped by Ctrl-C or SIGTERM: its checkpoint is saved, run it again to resume. */
export const INTERRUPTED_EXIT_CODE = 130;

const grouped = (n: number): string => n.toLocaleString('en-US');

/** 0 when every row was imported (now or before), else `ROWS_REFUSED_EXIT_CODE`. */
export const exitCodeOf = (counts: ImportCounts): number =>
  counts.rejected + counts.invalid + counts.pending > 0 ? ROWS_REFUSED_EXIT_CODE : 0;

export interface SummaryInput {
  file: string;
  counts: ImportCounts;
  total: number;
  /** Rows this run sent or refused; the others had an outcome in the checkpoint already. */
  thisRun: number;
  elapsedMs: number;
  report: string;
}

/** What an import did, for a person: one line of counts, the rate, and where the refused rows are. */
export function importSummary(s: SummaryInput): string {
  const { imported, repeated, rejected, invalid } = s.counts;
  const seconds = s.elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(s.thisRun / seconds) : 0;
  const lines = [
    `${s.file}: ${grouped(s.total)} rows: ${grouped(imported)} imported, ${grouped(repeated)} already imported, ` +
      `${grouped(rejected)} rejected, ${grouped(invalid)} invalid`,
    s.thisRun < s.total
      ? `${grouped(s.total - s.thisRun)} rows had their outcome from the checkpoint; ${grouped(s.thisRun)} rows this run in ${seconds.toFixed(1)} s (${rate} rows/s)`
      : `${grouped(s.thisRun)} rows in ${seconds.toFixed(1)} s (${rate} rows/s)`,
  ];
  if (rejected + invalid > 0) lines.push(`rejected and invalid rows, with their problem: ${s.report}`);
  return `${lines.join('\n')}\n`;
}
