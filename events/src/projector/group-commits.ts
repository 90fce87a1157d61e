/**
 * Runs `commit` for what is submitted, one run at a time: what is submitted while a run is in
 * flight, or in the same turn of the event loop as the first, goes together in the next run.
 * Each submitter is answered with its run's outcome. The batches of a fetch's partitions, handed
 * out together, so share one transaction, and batches that arrive meanwhile wait for one commit
 * rather than start one each.
 */
export function groupCommits<Item>(commit: (items: readonly Item[]) => Promise<void>): (item: Item) => Promise<void> {
  /** The next run, while it still takes items. */
  let gathering: { items: Item[]; run: Promise<void> } | undefined;
  let previous: Promise<void> = Promise.resolve();
  return (item) => {
    if (!gathering) {
      const next: { items: Item[]; run: Promise<void> } = { items: [], run: Promise.resolve() };
      next.run = previous
        .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
        .then(() => {
          if (gathering === next) gathering = undefined;
          return commit(next.items);
        });
      previous = next.run.catch(() => undefined);
      gathering = next;
    }
    gathering.items.push(item);
    return gathering.run;
  };
}
