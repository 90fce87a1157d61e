/**
 * A table for a terminal: each column as wide as its widest cell, two spaces apart; the last
 * column is not padded (a reason or a payload is as long as it is).
 */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const last = header.length - 1;
  return [header, ...rows]
    .map((cells) => `${cells.map((c, i) => (i === last ? c : c.padEnd(widths[i]!))).join('  ')}\n`)
    .join('');
}
