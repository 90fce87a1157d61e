import { UsageError } from './errors';
import { parseConnectorsArgs } from './connectors-args';

describe('parseConnectorsArgs', () => {
  it('reads each action and its options', () => {
    expect(parseConnectorsArgs(['demo-erp'])).toEqual({ action: 'demo-erp', database: 'erp' });
    expect(parseConnectorsArgs(['demo-erp', '--database', 'erp_2'])).toEqual({ action: 'demo-erp', database: 'erp_2' });
    expect(
      parseConnectorsArgs([
        'apply',
        '--file',
        'x.json',
        '--name=erp-2',
        '--tenant',
        'acme',
        '--slot',
        's1',
        '--publication',
        'p1',
      ]),
    ).toEqual({ action: 'apply', file: 'x.json', name: 'erp-2', tenant: 'acme', slot: 's1', publication: 'p1' });
    expect(parseConnectorsArgs(['status', 'a', 'b'])).toEqual({ action: 'status', names: ['a', 'b'] });
  });

  it('refuses an unknown action or option and a name PostgreSQL would need quoted', () => {
    expect(() => parseConnectorsArgs([])).toThrow(UsageError);
    expect(() => parseConnectorsArgs(['remove'])).toThrow(/demo-erp, apply, status or bench/);
    expect(() => parseConnectorsArgs(['apply', '--force'])).toThrow(/force/);
    expect(() => parseConnectorsArgs(['demo-erp', '--database', 'ERP; drop'])).toThrow(/--database/);
    expect(() => parseConnectorsArgs(['apply', '--slot', 'has-dash'])).toThrow(/--slot/);
    expect(() => parseConnectorsArgs(['apply', '--tenant', 'Not A Tenant'])).toThrow(/--tenant/);
    expect(() => parseConnectorsArgs(['apply', 'extra'])).toThrow(UsageError);
  });
});
