import { UsageError } from './errors';
import { parsePollersArgs } from './pollers-args';

describe('parsePollersArgs', () => {
  it('reads a configuration: the interval as people write it, the credential apart', () => {
    expect(
      parsePollersArgs([
        'set',
        '--tenant',
        'acme',
        '--source=netsuite',
        '--url',
        'https://erp.example.com/api',
        '--interval',
        '15m',
        '--page-size',
        '200',
        '--kinds',
        'inventory',
        '--basic',
        'svc:pa:ss',
      ]),
    ).toEqual({
      action: 'set',
      tenant: 'acme',
      source: 'netsuite',
      settings: {
        url: 'https://erp.example.com/api',
        intervalMs: 900_000,
        pageSize: 200,
        kinds: ['inventory'],
        credential: { type: 'basic', username: 'svc', password: 'pa:ss' },
      },
    });
  });

  it('reads list, remove and compare', () => {
    expect(parsePollersArgs(['list', '--tenant', 'acme'])).toEqual({ action: 'list', tenant: 'acme' });
    expect(parsePollersArgs(['remove', '--tenant', 'acme', '--source', 'shopify'])).toEqual({
      action: 'remove',
      tenant: 'acme',
      source: 'shopify',
    });
    expect(parsePollersArgs(['compare', '--tenant', 'acme', '--source', 'sap-b1', '--json'])).toMatchObject({
      json: true,
    });
  });

  it('names what is wrong', () => {
    const set = ['set', '--tenant', 'acme', '--source', 'netsuite', '--url', 'http://x'];
    expect(() => parsePollersArgs([...set])).toThrow(/--interval is required/);
    expect(() => parsePollersArgs([...set, '--interval', 'often'])).toThrow(/--interval/);
    expect(() => parsePollersArgs([...set, '--interval', '5m', '--token', 't', '--basic', 'u:p'])).toThrow(/not both/);
    expect(() => parsePollersArgs([...set, '--interval', '5m', '--kinds', 'orders'])).toThrow(/orders/);
    expect(() => parsePollersArgs(['list', '--tenant', 'acme', '--source', 'x'])).toThrow(/unknown option --source/);
    expect(() => parsePollersArgs(['remove', '--tenant', 'acme', '--source', 'api'])).toThrow(/--source api/);
    expect(() => parsePollersArgs(['start'])).toThrow(UsageError);
  });
});
