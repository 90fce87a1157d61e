import { canonicalJson } from './checksum';
import type { RecordKind } from './config';
import type { MappedRecord } from './records';

/** A record's values as Verity's read model holds them, by the record's key. */
export type Values = Record<string, unknown>;

export interface FieldDifference {
  key: string;
  field: string;
  source: unknown;
  verity: unknown;
}

/** How far Verity's read model is from the source, for one kind. */
export interface DriftReport {
  kind: RecordKind;
  /** Keys on either side. */
  total: number;
  /** Keys on both sides with every compared value equal. */
  matching: number;
  missingInVerity: string[];
  missingInSource: string[];
  differing: FieldDifference[];
  /** matching / total (1 when both sides are empty): the seed's sync accuracy. */
  accuracy: number;
}

/** The values of a mapped record that the read model also holds (the SKU and location are its key). */
export function comparableOf(record: MappedRecord): Values {
  const { sku: _sku, location: _location, ...values } = record.payload;
  return values;
}

/**
 * Compares every field the source gives with the read model's value of it: a field the source
 * leaves out (an optional description) is not drift.
 */
export function compareRecords(
  kind: RecordKind,
  source: ReadonlyMap<string, Values>,
  verity: ReadonlyMap<string, Values>,
): DriftReport {
  const keys = [...new Set([...source.keys(), ...verity.keys()])].sort();
  const report: DriftReport = {
    kind,
    total: keys.length,
    matching: 0,
    missingInVerity: [],
    missingInSource: [],
    differing: [],
    accuracy: 1,
  };
  for (const key of keys) {
    const theirs = source.get(key);
    const ours = verity.get(key);
    if (!theirs) report.missingInSource.push(key);
    else if (!ours) report.missingInVerity.push(key);
    else {
      const differences = Object.entries(theirs)
        .filter(([field, value]) => canonicalJson(value) !== canonicalJson(ours[field]))
        .map(([field, value]) => ({ key, field, source: value, verity: ours[field] }));
      if (differences.length === 0) report.matching += 1;
      report.differing.push(...differences);
    }
  }
  report.accuracy = report.total === 0 ? 1 : report.matching / report.total;
  return report;
}

/** Several kinds' reports as one figure: matching over total across them. */
export function overallAccuracy(reports: readonly DriftReport[]): number {
  const total = reports.reduce((n, r) => n + r.total, 0);
  return total === 0 ? 1 : reports.reduce((n, r) => n + r.matching, 0) / total;
}
