/**
 * Orders strings by their UTF-16 code units, as `sort()` does without a comparator and unlike
 * `localeCompare`: the same on every machine and locale, so canonical JSON hashes the same and
 * rows are locked in one order everywhere.
 */
export const compareCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
