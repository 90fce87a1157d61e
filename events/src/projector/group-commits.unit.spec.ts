import { groupCommits } from './group-commits';

describe('groupCommits', () => {
  it('commits what is submitted in one turn together, and what arrives during a run in the next', async () => {
    const runs: number[][] = [];
    let release: () => void = () => undefined;
    const submit = groupCommits<number>(async (items) => {
      runs.push([...items]);
      if (runs.length === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    const first = [submit(1), submit(2)];
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toEqual([[1, 2]]);
    const second = [submit(3), submit(4)];
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toEqual([[1, 2]]);
    release();
    await Promise.all([...first, ...second]);
    expect(runs).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('fails every submitter of a failed run, and runs the next one all the same', async () => {
    const submit = groupCommits<number>(async (items) => {
      if (items.includes(1)) throw new Error('rolled back');
    });
    const failed = [submit(1), submit(2)];
    await expect(failed[0]).rejects.toThrow('rolled back');
    await expect(failed[1]).rejects.toThrow('rolled back');
    await expect(submit(3)).resolves.toBeUndefined();
  });
});
