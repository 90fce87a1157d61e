import { checkEndpoint, checkEndpointUrl, EndpointRefusedError, isNonPublicAddress } from './endpoint-policy';

const strict = { allowPrivate: false, allowHttp: false };
const local = { allowPrivate: true, allowHttp: true };

describe('endpoint policy', () => {
  it('tells non-public addresses, IPv4, IPv6 and IPv4-mapped', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '0.0.0.0',
    ])
      expect([address, isNonPublicAddress(address)]).toEqual([address, true]);
    for (const address of ['93.184.216.34', '2606:4700::1111', '::ffff:8.8.8.8'])
      expect([address, isNonPublicAddress(address)]).toEqual([address, false]);
  });

  it('refuses http, credentials, loopback names and private literals unless allowed', () => {
    const refused = (url: string) => () => checkEndpointUrl(url, strict);
    expect(refused('http://hooks.example.com/')).toThrow(EndpointRefusedError);
    expect(refused('https://user:pw@hooks.example.com/')).toThrow(/no credentials/);
    expect(refused('https://localhost:8443/')).toThrow(/loopback/);
    expect(refused('https://127.0.0.1/')).toThrow(/non-public/);
    expect(refused('https://[::1]/')).toThrow(/non-public/);
    expect(refused('https://169.254.169.254/latest/meta-data')).toThrow(/non-public/);
    expect(checkEndpointUrl('https://hooks.example.com/x', strict).host).toBe('hooks.example.com');
    expect(checkEndpointUrl('http://127.0.0.1:9/x', local).port).toBe('9');
  });

  it('refuses a name that does not resolve', async () => {
    await expect(checkEndpoint('https://no-such-host.invalid/', strict)).rejects.toThrow(/does not resolve/);
  });
});
