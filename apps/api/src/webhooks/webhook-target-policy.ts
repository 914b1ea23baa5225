/**
 * Which addresses a webhook may reach (SSRF protection). An admin can type any URL; without this a subscription
 * could probe the API's own network: loopback, RFC 1918 ranges, the cloud metadata service at 169.254.169.254.
 * By default such targets are refused:
 *  - at creation / URL change: the host is resolved and every address it resolves to must be public (400);
 *  - at delivery: the address actually connected to is checked in the socket's DNS lookup, so a name that
 *    resolves to a public address at creation and to 127.0.0.1 later (DNS rebinding) is still refused.
 *
 * On-prem receivers and tests opt in through the environment:
 *   PADDOCK_WEBHOOK_ALLOW_HOSTS    comma-separated host names (exact, case-insensitive), IP addresses and CIDRs
 *                                  (`hooks.internal,127.0.0.1,10.20.0.0/16,fd00::/8`); a listed name is allowed
 *                                  whatever it resolves to, a listed address / range allows connecting to it
 *   PADDOCK_WEBHOOK_ALLOW_PRIVATE  1 / true: no address checks at all
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** Ranges that are not the public internet, each with the word used in refusals. */
const SPECIAL_RANGES: ReadonlyArray<readonly [cidr: string, kind: string]> = [
  ['0.0.0.0/8', 'unspecified ("this network")'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT (shared)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local (cloud metadata)'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'IETF protocol assignment'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', '6to4 relay anycast'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved (and broadcast)'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['100::/64', 'discard-only'],
  ['2001:db8::/32', 'documentation'],
  ['fc00::/7', 'unique local (private)'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local (deprecated private)'],
  ['ff00::/8', 'multicast'],
];

function addRange(list: BlockList, cidr: string): void {
  const [address, bits] = cidr.split('/') as [string, string | undefined];
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (bits === undefined) list.addAddress(address, family);
  else list.addSubnet(address, Number(bits), family);
}

const SPECIAL = SPECIAL_RANGES.map(([cidr, kind]) => {
  const list = new BlockList();
  addRange(list, cidr);
  return { cidr, kind, list };
});

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const m = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/.exec(lower);
  if (!m) return undefined;
  if (m[1]) return m[1];
  const hi = parseInt(m[2]!, 16);
  const lo = parseInt(m[3]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** What kind of non-public address this is (`loopback`, `private`, ...), or undefined for a public one. */
export function specialAddressKind(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4) return specialAddressKind(v4);
  }
  const type = family === 6 ? 'ipv6' : 'ipv4';
  return SPECIAL.find((s) => s.list.check(address, type))?.kind;
}

export interface TargetPolicy {
  allowPrivate: boolean;
  /** Lower-case host names allowed whatever they resolve to. */
  allowHosts: ReadonlySet<string>;
  /** Addresses / ranges allowed although special. */
  allowNets: BlockList;
  /** The allow-list as configured, for messages. */
  allowList: readonly string[];
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** Host of a URL as compared and resolved: lower case, no IPv6 brackets, no trailing dot. */
export function hostOf(url: URL | string): string {
  const host = (typeof url === 'string' ? new URL(url) : url).hostname.toLowerCase();
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare.endsWith('.') ? bare.slice(0, -1) : bare;
}

export function targetPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): TargetPolicy {
  const flag = (env.PADDOCK_WEBHOOK_ALLOW_PRIVATE ?? '').trim().toLowerCase();
  if (!['', '0', 'false', '1', 'true'].includes(flag)) throw new Error(`PADDOCK_WEBHOOK_ALLOW_PRIVATE must be 1/true or 0/false, got ${JSON.stringify(env.PADDOCK_WEBHOOK_ALLOW_PRIVATE)}`);
  const allowList = (env.PADDOCK_WEBHOOK_ALLOW_HOSTS ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const allowHosts = new Set<string>();
  const allowNets = new BlockList();
  for (const entry of allowList) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address!);
    if (family !== 0) {
      const max = family === 4 ? 32 : 128;
      if (extra !== undefined || (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= max))) throw new Error(`PADDOCK_WEBHOOK_ALLOW_HOSTS: ${JSON.stringify(entry)} is not an address or CIDR (prefix length 0-${max})`);
      addRange(allowNets, entry);
    } else if (bits === undefined && HOST_NAME.test(entry.toLowerCase().replace(/\.$/, ''))) {
      allowHosts.add(entry.toLowerCase().replace(/\.$/, ''));
    } else {
      throw new Error(`PADDOCK_WEBHOOK_ALLOW_HOSTS: ${JSON.stringify(entry)} is neither a host name, an IP address nor a CIDR`);
    }
  }
  return { allowPrivate: flag === '1' || flag === 'true', allowHosts, allowNets, allowList };
}

/** Why `host` may not be reached at `address`, or undefined when it may. */
export function refusal(policy: TargetPolicy, host: string, address: string): string | undefined {
  if (policy.allowPrivate || policy.allowHosts.has(host)) return undefined;
  const kind = specialAddressKind(address);
  if (kind === undefined) return undefined;
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (policy.allowNets.check(address, family)) return undefined;
  const v4 = family === 'ipv6' ? embeddedIpv4(address) : undefined;
  if (v4 && policy.allowNets.check(v4, 'ipv4')) return undefined;
  const where = host === address ? address : `${host} resolves to ${address}`;
  return `${where}, a ${kind} address; webhooks may not reach private, loopback, link-local or multicast addresses unless PADDOCK_WEBHOOK_ALLOW_HOSTS lists the host or address (or PADDOCK_WEBHOOK_ALLOW_PRIVATE=1)`;
}

/** Thrown (as a socket error) when the only addresses a host resolves to are refused. */
export class BlockedTargetError extends Error {
  readonly code = 'EWEBHOOKBLOCKED';
}

function lookupAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));
}

/**
 * Checks a target before it is stored: undefined when allowed, else the reason. Every address the host resolves
 * to must be allowed (an unresolvable host is refused too: it cannot be checked).
 */
export async function checkTarget(policy: TargetPolicy, url: string, resolve: (host: string) => Promise<LookupAddress[]> = lookupAll): Promise<string | undefined> {
  const host = hostOf(url);
  if (policy.allowPrivate || policy.allowHosts.has(host)) return undefined;
  if (isIP(host) !== 0) return refusal(policy, host, host);
  let addresses: LookupAddress[];
  try {
    addresses = await resolve(host);
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message;
    return `${host} does not resolve (${code}); a webhook's host must resolve so its addresses can be checked`;
  }
  if (addresses.length === 0) return `${host} resolves to no address`;
  for (const a of addresses) {
    const reason = refusal(policy, host, a.address);
    if (reason) return reason;
  }
  return undefined;
}

/**
 * A `lookup` for the delivery socket: resolves like the system resolver, keeps only the allowed addresses and
 * fails with BlockedTargetError when none is left, so the connection is made only to an address checked here.
 */
export function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    const all: LookupAllOptions = { family: options.family, hints: options.hints, all: true, verbatim: true };
    dnsLookup(hostname, all, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const host = hostname.toLowerCase().replace(/\.$/, '');
      const allowed = addresses.filter((a) => refusal(policy, host, a.address) === undefined);
      if (allowed.length === 0) {
        const reason = addresses.length > 0 ? refusal(policy, host, addresses[0]!.address)! : `${host} resolves to no address`;
        return callback(new BlockedTargetError(reason), '', 0);
      }
      if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      else callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}
