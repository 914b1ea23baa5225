import { describe, expect, it } from '@jest/globals';
import type { LookupAddress } from 'node:dns';
import { checkTarget, guardedLookup, hostOf, refusal, specialAddressKind, targetPolicyFromEnv } from './webhook-target-policy.js';

const byDefault = targetPolicyFromEnv({});
/** A fixed DNS answer: the input of the check (what a name resolves to), not the check itself. */
const resolvesTo = (...addresses: string[]) => async (): Promise<LookupAddress[]> => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('webhook target address policy', () => {
  it('names every non-public range and passes public addresses', () => {
    const cases: Array<[string, string | undefined]> = [
      ['127.0.0.1', 'loopback'],
      ['127.255.0.9', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['169.254.169.254', 'link-local (cloud metadata)'],
      ['100.64.0.1', 'carrier-grade NAT (shared)'],
      ['0.0.0.0', 'unspecified ("this network")'],
      ['224.0.0.251', 'multicast'],
      ['255.255.255.255', 'reserved (and broadcast)'],
      ['::1', 'loopback'],
      ['::', 'unspecified'],
      ['fc00::1', 'unique local (private)'],
      ['fd12:3456::1', 'unique local (private)'],
      ['fe80::1', 'link-local'],
      ['ff02::1', 'multicast'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:a9fe:a9fe', 'link-local (cloud metadata)'],
      ['64:ff9b::10.0.0.1', 'private'],
      ['8.8.8.8', undefined],
      ['93.184.216.34', undefined],
      ['172.32.0.1', undefined],
      ['2606:4700::1111', undefined],
      ['::ffff:8.8.8.8', undefined],
    ];
    for (const [address, kind] of cases) expect([address, specialAddressKind(address)]).toEqual([address, kind]);
  });

  it('refuses special addresses by default, with a message that says how to allow them', () => {
    expect(refusal(byDefault, 'metadata.internal', '169.254.169.254')).toBe(
      'metadata.internal resolves to 169.254.169.254, a link-local (cloud metadata) address; webhooks may not reach private, loopback, link-local or multicast addresses unless PADDOCK_WEBHOOK_ALLOW_HOSTS lists the host or address (or PADDOCK_WEBHOOK_ALLOW_PRIVATE=1)',
    );
    expect(refusal(byDefault, '10.0.0.5', '10.0.0.5')).toMatch(/^10\.0\.0\.5, a private address;/);
    expect(refusal(byDefault, 'example.com', '93.184.216.34')).toBeUndefined();
  });

  it('allows listed names (whatever they resolve to), addresses and CIDRs, or everything', () => {
    const policy = targetPolicyFromEnv({ PADDOCK_WEBHOOK_ALLOW_HOSTS: 'Hooks.Internal., 127.0.0.1,10.20.0.0/16 fd00::/8' });
    expect(policy.allowList).toEqual(['Hooks.Internal.', '127.0.0.1', '10.20.0.0/16', 'fd00::/8']);
    expect(refusal(policy, 'hooks.internal', '10.9.9.9')).toBeUndefined();
    expect(refusal(policy, 'localhost', '127.0.0.1')).toBeUndefined();
    expect(refusal(policy, 'localhost', '::1')).toMatch(/loopback/);
    expect(refusal(policy, '::ffff:127.0.0.1', '::ffff:127.0.0.1')).toBeUndefined();
    expect(refusal(policy, 'ci', '10.20.3.4')).toBeUndefined();
    expect(refusal(policy, 'ci', '10.21.3.4')).toMatch(/private/);
    expect(refusal(policy, 'ci', 'fd00::7')).toBeUndefined();
    expect(refusal(policy, 'ci', '169.254.169.254')).toMatch(/link-local/);
    const open = targetPolicyFromEnv({ PADDOCK_WEBHOOK_ALLOW_PRIVATE: 'true' });
    expect(refusal(open, 'metadata', '169.254.169.254')).toBeUndefined();
    expect(targetPolicyFromEnv({ PADDOCK_WEBHOOK_ALLOW_PRIVATE: '0' }).allowPrivate).toBe(false);
  });

  it('rejects a malformed allow-list at start-up', () => {
    expect(() => targetPolicyFromEnv({ PADDOCK_WEBHOOK_ALLOW_HOSTS: '10.0.0.0/33' })).toThrow('PADDOCK_WEBHOOK_ALLOW_HOSTS: "10.0.0.0/33" is not an address or CIDR (prefix length 0-32)');
    expect(() => targetPolicyFromEnv({ PADDOCK_WEBHOOK_ALLOW_HOSTS: 'http://x' })).toThrow('neither a host name, an IP address nor a CIDR');
    expect(() => targetPolicyFromEnv({ PADDOCK_WEBHOOK_ALLOW_HOSTS: 'host/8' })).toThrow('neither a host name');
    expect(() => targetPolicyFromEnv({ PADDOCK_WEBHOOK_ALLOW_PRIVATE: 'yes' })).toThrow('PADDOCK_WEBHOOK_ALLOW_PRIVATE must be 1/true or 0/false');
  });

  it('takes the host of a URL as it is resolved', () => {
    expect(hostOf('http://[::1]:8080/x')).toBe('::1');
    expect(hostOf('https://Hooks.Example.COM./a')).toBe('hooks.example.com');
    expect(hostOf('http://0x7f.1/')).toBe('127.0.0.1'); // the WHATWG parser normalises odd IPv4 spellings first
  });

  it('checks every address a target resolves to at creation', async () => {
    expect(await checkTarget(byDefault, 'https://hooks.example.com/x', resolvesTo('93.184.216.34', '2606:2800:220:1::1'))).toBeUndefined();
    expect(await checkTarget(byDefault, 'https://hooks.example.com/x', resolvesTo('93.184.216.34', '10.0.0.8'))).toMatch(/^hooks\.example\.com resolves to 10\.0\.0\.8, a private address/);
    expect(await checkTarget(byDefault, 'http://[::ffff:7f00:1]/x', resolvesTo())).toMatch(/loopback/);
    expect(await checkTarget(byDefault, 'http://169.254.169.254/latest/meta-data', resolvesTo())).toMatch(/^169\.254\.169\.254, a link-local \(cloud metadata\) address/);
    const failing = async (): Promise<LookupAddress[]> => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' });
    };
    expect(await checkTarget(byDefault, 'http://nowhere.invalid/', failing)).toBe("nowhere.invalid does not resolve (ENOTFOUND); a webhook's host must resolve so its addresses can be checked");
    // through the system resolver: localhost is loopback
    expect(await checkTarget(byDefault, 'http://localhost:8080/')).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
    expect(await checkTarget(targetPolicyFromEnv({ PADDOCK_WEBHOOK_ALLOW_HOSTS: 'localhost' }), 'http://localhost:8080/', failing)).toBeUndefined();
  });

  it('fails the socket lookup of a name that resolves only to refused addresses, and keeps the allowed ones', async () => {
    const lookup = (policy: ReturnType<typeof targetPolicyFromEnv>, all: boolean) =>
      new Promise<{ error: (Error & { code?: string }) | null; result: unknown }>((resolve) =>
        guardedLookup(policy)('localhost', { all }, (error: NodeJS.ErrnoException | null, address: unknown, family?: number) => resolve({ error, result: all ? address : { address, family } })),
      );
    const blocked = await lookup(byDefault, false);
    expect(blocked.error).toMatchObject({ code: 'EWEBHOOKBLOCKED', message: expect.stringMatching(/^localhost resolves to .*, a loopback address/) });
    const allowed = await lookup(targetPolicyFromEnv({ PADDOCK_WEBHOOK_ALLOW_HOSTS: '127.0.0.1' }), true);
    expect(allowed.error).toBeNull();
    expect(allowed.result).toEqual([{ address: '127.0.0.1', family: 4 }]);
    const single = await lookup(targetPolicyFromEnv({ PADDOCK_WEBHOOK_ALLOW_HOSTS: '127.0.0.0/8' }), false);
    expect(single.result).toEqual({ address: '127.0.0.1', family: 4 });
  });
});
