/**
 * Rows complete out of order (many are in flight); their results are released in row order, each
 * once every row before it has completed. So the released rows are always 1..done: what a
 * checkpoint records, what the counts and the report hold, and what a resumed import skips.
 */
export class RowOrder<T> {
  private readonly ahead = new Map<number, T>();
  private reached: number;

  /** `from`: rows 1..from were released before (a checkpoint's). */
  constructor(from = 0) {
    this.reached = from;
  }

  /** Every row up to this one has been released. */
  get done(): number {
    return this.reached;
  }

  /** Rows completed but held back behind a row still open. */
  get held(): number {
    return this.ahead.size;
  }

  /** Records row `row`'s result; returns the results now released, in row order. */
  complete(row: number, result: T): T[] {
    if (row <= this.reached || this.ahead.has(row)) throw new Error(`row ${row} completed twice`);
    this.ahead.set(row, result);
    const released: T[] = [];
    for (let next = this.ahead.get(this.reached + 1); next !== undefined; next = this.ahead.get(this.reached + 1)) {
      this.ahead.delete(this.reached + 1);
      this.reached++;
      released.push(next);
    }
    return released;
  }
}
