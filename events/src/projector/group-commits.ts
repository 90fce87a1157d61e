/**
 * Runs `commit` for what is submitted, one run at a time: what is submitted while a run is in
 * flight, or in the same turn of the event loop as the first, goes together in the next run.
 * Each submitter is answered with its run's outcome. The batches of a fetch's partitions, handed
 * out together, so share one transaction, and batches that arrive meanwhile wait for one commit
 * rather than start one each.
 */
export function groupCommits<Item>(commit: (items: readonly Item[]) => Promise<void>): (item: Item) => Promise<void> {
  let gathering: Item[] | undefined;
  let gathered: Promise<void> | undefined;
  let previous: Promise<void> = Promise.resolve();
  return (item) => {
    if (!gathering || !gathered) {
      const items: Item[] = [];
      const run = previous
        .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
        .then(() => {
          if (gathering === items) gathering = undefined;
          return commit(items);
        });
      gathering = items;
      gathered = run;
      previous = run.catch(() => undefined);
    }
    gathering.push(item);
    return gathered;
  };
}
