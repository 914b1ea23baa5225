import { describe, expect, it } from '@jest/globals';
import { HostProvider, parseConnectString, shuffled } from './connect-string.js';

describe('parseConnectString', () => {
  it('parses several hosts, default port and chroot', () => {
    expect(parseConnectString('a:1,b:2,c/app/x')).toEqual({
      hosts: [
        { host: 'a', port: 1 },
        { host: 'b', port: 2 },
        { host: 'c', port: 2181 },
      ],
      chroot: '/app/x',
    });
  });

  it('treats "/" and no chroot alike', () => {
    expect(parseConnectString('h:1/').chroot).toBeUndefined();
    expect(parseConnectString('h:1').chroot).toBeUndefined();
  });

  it('accepts bracketed IPv6 and ignores blanks', () => {
    expect(parseConnectString(' [::1]:2182 , ,h ').hosts).toEqual([
      { host: '::1', port: 2182 },
      { host: 'h', port: 2181 },
    ]);
  });

  it('rejects bad input', () => {
    expect(() => parseConnectString('')).toThrow(/no hosts/);
    expect(() => parseConnectString('/app')).toThrow(/no hosts/);
    expect(() => parseConnectString('h:x')).toThrow(/bad port/);
    expect(() => parseConnectString('h:70000')).toThrow(/out of range/);
    expect(() => parseConnectString('h:1/app/')).toThrow(/Invalid path/);
    expect(() => parseConnectString(':1')).toThrow(/empty host/);
  });
});

describe('HostProvider', () => {
  const hosts = [1, 2, 3].map((p) => ({ host: 'h', port: p }));

  it('keeps the order when not randomised and cycles round-robin, flagging a full unsuccessful cycle', () => {
    const hp = new HostProvider(hosts, { randomize: false });
    const seen = Array.from({ length: 7 }, () => hp.next());
    expect(seen.map((s) => s.host.port)).toEqual([1, 2, 3, 1, 2, 3, 1]);
    expect(seen.map((s) => s.wrapped)).toEqual([false, false, false, true, false, false, true]);
  });

  it('a success resets the cycle; the next attempt goes to the next host', () => {
    const hp = new HostProvider(hosts, { randomize: false });
    hp.next();
    hp.next();
    hp.onConnected();
    expect(hp.lastConnectedHost?.port).toBe(2);
    const n = hp.next();
    expect(n).toEqual({ host: { host: 'h', port: 3 }, wrapped: false });
  });

  it('shuffles with the given random source and keeps every host', () => {
    let i = 0;
    const seq = [0.9, 0.1, 0.5];
    const out = shuffled([1, 2, 3, 4], () => seq[i++ % seq.length]!);
    expect([...out].sort()).toEqual([1, 2, 3, 4]);
    const orders = new Set<string>();
    for (let k = 0; k < 50; k++) orders.add(new HostProvider(hosts).hosts.map((h) => h.port).join());
    expect(orders.size).toBeGreaterThan(1);
  });
});
