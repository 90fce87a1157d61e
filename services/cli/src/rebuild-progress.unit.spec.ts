import { etaSeconds, progressLine } from './rebuild-progress';

describe('rebuild progress', () => {
  it('estimates the time left from the rate', () => {
    expect(etaSeconds(100_000n, 50_000)).toBe(2);
    expect(etaSeconds(0n, 0)).toBe(0);
    expect(etaSeconds(10n, 0)).toBeUndefined();
  });

  it('says where it is, how fast, and how long is left', () => {
    expect(
      progressLine({ projection: 'inventory-stock', generation: 2, done: 340_000n, total: 1_000_000n, perS: 52_000 }),
    ).toBe('inventory-stock g2: 340000 of 1000000 events (34%), 52000 events/s, ETA 13 s');
    expect(progressLine({ projection: 'pricing', generation: 3, done: 0n, total: 9_000_000n, perS: 0 })).toBe(
      'pricing g3: 0 of 9000000 events (0%), 0 events/s, ETA ?',
    );
    expect(progressLine({ projection: 'pricing', generation: 3, done: 10n, total: 9_010n, perS: 1 })).toContain(
      'ETA 150 min 0 s',
    );
  });
});
