import { dueBy } from './read-load';

describe('the fixed-rate schedule', () => {
  it('has the first request due at once and the n-th at n / rate seconds', () => {
    expect(dueBy(0, 5000, 50_000)).toBe(1);
    expect(dueBy(0.0002, 5000, 50_000)).toBe(2);
    expect(dueBy(0.00039, 5000, 50_000)).toBe(2);
    expect(dueBy(1, 5000, 50_000)).toBe(5001);
  });

  it('never has more due than the run holds, however late the tick', () => {
    expect(dueBy(10, 5000, 50_000)).toBe(50_000);
    expect(dueBy(60, 5000, 50_000)).toBe(50_000);
  });
});
