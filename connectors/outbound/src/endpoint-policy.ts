import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { VerityError } from '@verity/core';

/** Which endpoints a subscription may name. Both default to false: public HTTPS only. */
export interface EndpointPolicy {
  /** Private, loopback, link-local and other non-public addresses (a local receiver, tests). */
  allowPrivate: boolean;
  /** `http:` besides `https:` (a local receiver, tests). */
  allowHttp: boolean;
}

/** An endpoint the policy refuses: the caller's mistake, never retried. */
export class EndpointRefusedError extends VerityError {
  constructor(
    url: string,
    readonly reason: string,
  ) {
    super('endpoint_refused', `endpoint ${url} refused: ${reason}`, { context: { url, reason } });
  }
}

/**
 * Addresses that are not on the public internet (RFC 6890 and friends): a subscription that could
 * name them would let a tenant make Verity call its own network (SSRF).
 */
const nonPublic = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  nonPublic.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  nonPublic.addSubnet(network, prefix, 'ipv6');

/** Whether `address` (IPv4 or IPv6, an IPv4-mapped IPv6 as its IPv4) is a non-public one. */
export function isNonPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return nonPublic.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return nonPublic.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The scheme and host rules that need no DNS: what a subscription's URL is refused for at once. */
export function checkEndpointUrl(url: string, policy: EndpointPolicy): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EndpointRefusedError(url, 'not a URL');
  }
  if (parsed.protocol !== 'https:' && !(policy.allowHttp && parsed.protocol === 'http:'))
    throw new EndpointRefusedError(url, policy.allowHttp ? 'http or https only' : 'https only');
  if (parsed.username || parsed.password) throw new EndpointRefusedError(url, 'no credentials in the URL');
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!policy.allowPrivate && (host === 'localhost' || host.endsWith('.localhost')))
    throw new EndpointRefusedError(url, 'a loopback host');
  if (!policy.allowPrivate && isIP(host) !== 0 && isNonPublicAddress(host))
    throw new EndpointRefusedError(url, `a non-public address ${host}`);
  return parsed;
}

/**
 * A `lookup` for `http.request` that refuses non-public addresses unless the policy allows them:
 * checked on the address actually connected to, so a name that resolves elsewhere later (DNS
 * rebinding) is refused at delivery as it would have been at subscription.
 */
export function guardedLookup(policy: EndpointPolicy): LookupFunction {
  return (hostname: string, options: LookupOptions, callback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, []);
      const refused = policy.allowPrivate ? undefined : addresses.find((a) => isNonPublicAddress(a.address));
      if (refused)
        return callback(new EndpointRefusedError(hostname, `resolves to a non-public address ${refused.address}`), []);
      if (options.all) return callback(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}

/** The URL checked, then its host resolved and checked: what a new subscription must pass. */
export async function checkEndpoint(url: string, policy: EndpointPolicy): Promise<URL> {
  const parsed = checkEndpointUrl(url, policy);
  if (policy.allowPrivate) return parsed;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) return parsed;
  await new Promise<void>((resolve, reject) =>
    guardedLookup(policy)(host, { all: true }, (error) => (error ? reject(error) : resolve())),
  ).catch((error: unknown) => {
    if (error instanceof EndpointRefusedError) throw new EndpointRefusedError(url, error.reason);
    throw new EndpointRefusedError(url, `host ${host} does not resolve`);
  });
  return parsed;
}
