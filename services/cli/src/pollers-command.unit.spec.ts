import { driftText, intervalText, pollersTable } from './pollers-command';

describe('pollers output', () => {
  it('writes intervals as they are usually set', () => {
    expect([30_000, 300_000, 5_400_000, 3_600_000, 1_500].map(intervalText)).toEqual([
      '30s',
      '5m',
      '90m',
      '1h',
      '1500ms',
    ]);
  });

  it('lists pollers with the credential type only', () => {
    const table = pollersTable([
      {
        tenant: 'acme',
        source: 'netsuite',
        url: 'https://erp.example.com',
        intervalMs: 900_000,
        pageSize: 100,
        kinds: ['inventory', 'products'],
        credential: { type: 'bearer' },
        updatedAt: '2026-01-01T00:00:00.000Z',
      },
    ]);
    expect(table.split('\n')[1]).toMatch(/^netsuite\s+15m\s+100\s+inventory,products\s+bearer\s+https:\/\/erp/);
  });

  it('reports the accuracy and every record missing or differing', () => {
    const text = driftText({
      accuracy: 0.4,
      unmappable: 1,
      reports: [
        {
          kind: 'inventory',
          total: 5,
          matching: 2,
          missingInVerity: ['F-9@main'],
          missingInSource: ['F-3@main'],
          differing: [{ key: 'F-2@main', field: 'onHand', source: 5, verity: 4 }],
        },
      ],
    });
    expect(text).toContain('sync accuracy 40.00 %');
    expect(text).toContain(
      'inventory: 2 of 5 match (40.00 %); 1 missing in Verity, 1 missing in the source, 1 values differ',
    );
    expect(text).toMatch(/missing in Verity\s+F-9@main/);
    expect(text).toMatch(/missing in source\s+F-3@main/);
    expect(text).toContain('F-2@main onHand: source 5, Verity 4');
    expect(text).toContain('1 source records could not be read');
  });
});
