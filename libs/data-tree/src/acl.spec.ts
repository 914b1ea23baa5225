import { describe, it, expect } from '@jest/globals';
import type { ACL, Id } from '@paddock/protocol';
import { AclCache } from './acl-cache.js';
import { checkPermission, digestId, fixupACL, ipMatches, isValidDigestAcl, isValidIpAcl, isWorldReadable, maskDigestACL } from './acl.js';

const world = (perms: number): ACL => ({ perms, id: { scheme: 'world', id: 'anyone' } });
const digest = (perms: number, id: string): ACL => ({ perms, id: { scheme: 'digest', id } });
const ip = (perms: number, id: string): ACL => ({ perms, id: { scheme: 'ip', id } });

describe('digestId', () => {
  it('is user:base64(sha1(user:password)) — super:test', () => {
    expect(digestId('super:test')).toBe('super:D/InIHSb7yEEbrWz8b9l71RjZJU=');
  });
  it('hashes the whole string including further colons', () => {
    expect(digestId('a:b:c').startsWith('a:')).toBe(true);
    expect(digestId('a:b:c')).not.toBe(digestId('a:b'));
  });
});

describe('checkPermission', () => {
  const ipId: Id = { scheme: 'ip', id: '10.1.2.3' };
  it('allows an empty ACL and skipACL', () => {
    expect(checkPermission([], 31, [])).toBe(true);
    expect(checkPermission([digest(31, 'u:x')], 1, [], { skipACL: true })).toBe(true);
  });
  it('world:anyone needs the bit', () => {
    expect(checkPermission([world(1)], 1, [])).toBe(true);
    expect(checkPermission([world(1)], 2, [])).toBe(false);
  });
  it('super is allowed everything', () => {
    expect(checkPermission([digest(1, 'u:x')], 16, [{ scheme: 'super', id: '' }])).toBe(true);
  });
  it('digest matches the exact id', () => {
    const id = digestId('bob:pw');
    expect(checkPermission([digest(31, id)], 2, [ipId, { scheme: 'digest', id }])).toBe(true);
    expect(checkPermission([digest(31, id)], 2, [ipId, { scheme: 'digest', id: digestId('bob:other') }])).toBe(false);
    expect(checkPermission([digest(1, id)], 2, [{ scheme: 'digest', id }])).toBe(false);
  });
  it('ip matches with masks, v4 and v6', () => {
    expect(checkPermission([ip(31, '10.1.2.3')], 1, [ipId])).toBe(true);
    expect(checkPermission([ip(31, '10.1.0.0/16')], 1, [ipId])).toBe(true);
    expect(checkPermission([ip(31, '10.2.0.0/16')], 1, [ipId])).toBe(false);
    expect(checkPermission([ip(31, '10.2.0.0/8')], 1, [ipId])).toBe(true);
    expect(ipMatches('2001:db8::1', '2001:db8::/32')).toBe(true);
    expect(ipMatches('2001:db9::1', '2001:db8::/32')).toBe(false);
    expect(ipMatches('0:0:0:0:0:0:0:1', '::1')).toBe(true);
    expect(ipMatches('::ffff:10.0.0.1', '::ffff:10.0.0.0/120')).toBe(true);
    expect(ipMatches('10.0.0.1', '::1')).toBe(false);
    expect(ipMatches('10.0.0.1', '10.0.0.1/33')).toBe(false);
  });
  it('unknown schemes never match', () => {
    expect(checkPermission([{ perms: 31, id: { scheme: 'sasl', id: 'bob' } }], 1, [{ scheme: 'sasl', id: 'bob' }])).toBe(false);
  });
});

describe('id validation', () => {
  it('digest ids are "a:b" with Java split semantics', () => {
    expect(isValidDigestAcl('a:b')).toBe(true);
    expect(isValidDigestAcl(':b')).toBe(true);
    expect(isValidDigestAcl('a:b:')).toBe(true); // Java drops trailing empties
    expect(isValidDigestAcl('a:')).toBe(false);
    expect(isValidDigestAcl('a')).toBe(false);
    expect(isValidDigestAcl('a:b:c')).toBe(false);
    expect(isValidDigestAcl('')).toBe(false);
  });
  it('ip ids are addr[/bits]', () => {
    expect(isValidIpAcl('1.2.3.4')).toBe(true);
    expect(isValidIpAcl('1.2.3.4/0')).toBe(true);
    expect(isValidIpAcl('1.2.3.4/32')).toBe(true);
    expect(isValidIpAcl('1.2.3.4/33')).toBe(false);
    expect(isValidIpAcl('1.2.3')).toBe(false);
    expect(isValidIpAcl('1.2.3.256')).toBe(false);
    expect(isValidIpAcl('host')).toBe(false);
    expect(isValidIpAcl('fe80::1/64')).toBe(true);
    expect(isValidIpAcl('fe80::1/129')).toBe(false);
    expect(isValidIpAcl('1::2::3')).toBe(false);
  });
});

describe('fixupACL', () => {
  const me: Id[] = [{ scheme: 'ip', id: '127.0.0.1' }, { scheme: 'digest', id: 'bob:hash' }];
  it('removes duplicates', () => {
    expect(fixupACL([world(31), world(31)], [])).toEqual([world(31)]);
  });
  it('empty or null -> InvalidACL', () => {
    expect(fixupACL([], me)).toBe(-114);
    expect(fixupACL(null, me)).toBe(-114);
  });
  it('expands auth to authenticated ids only (digest, not ip)', () => {
    expect(fixupACL([{ perms: 31, id: { scheme: 'auth', id: '' } }], me)).toEqual([digest(31, 'bob:hash')]);
    expect(fixupACL([{ perms: 31, id: { scheme: 'auth', id: '' } }], [{ scheme: 'ip', id: '127.0.0.1' }])).toBe(-114);
  });
  it('validates ids and schemes', () => {
    expect(fixupACL([digest(31, 'nocolon')], me)).toBe(-114);
    expect(fixupACL([ip(31, 'not-an-ip')], me)).toBe(-114);
    expect(fixupACL([{ perms: 31, id: { scheme: 'world', id: 'someone' } }], me)).toBe(-114);
    expect(fixupACL([{ perms: 31, id: { scheme: 'bogus', id: 'x' } }], me)).toBe(-114);
    expect(fixupACL([ip(1, '10.0.0.0/8'), digest(31, 'a:b')], me)).toEqual([ip(1, '10.0.0.0/8'), digest(31, 'a:b')]);
  });
});

describe('maskDigestACL', () => {
  it('hides the digest', () => {
    expect(maskDigestACL([digest(31, 'bob:abc=='), world(1)])).toEqual([digest(31, 'bob:x'), world(1)]);
  });
});

describe('isWorldReadable', () => {
  const nobody: Id[] = [{ scheme: 'ip', id: '10.0.0.1' }];
  it.each([
    ['null', null],
    ['empty', []],
    ['world READ', [world(1)]],
    ['world ALL after a digest entry', [digest(31, 'u:x'), world(31)]],
    ['world WRITE only', [world(2)]],
    ['digest only', [digest(31, 'u:x')]],
    ['ip only', [ip(1, '10.0.0.2')]],
  ] as const)('agrees with checkPermission for any caller: %s', (_name, acl) => {
    const expected = checkPermission(acl as ACL[] | null, 1, nobody);
    expect(isWorldReadable(acl as ACL[] | null)).toBe(expected);
  });
});

describe('fixupACL fast path and AclCache interning', () => {
  it('keeps a lone world:anyone entry as it is, and still rejects or expands everything else', () => {
    const open = [world(31)];
    expect(fixupACL(open, [])).toEqual([world(31)]);
    expect(fixupACL([world(31), world(31)], [])).toEqual([world(31)]);
    expect(fixupACL([], [])).toBe(-114);
    expect(fixupACL([{ perms: 31, id: { scheme: 'auth', id: '' } }], [{ scheme: 'ip', id: '1.2.3.4' }])).toBe(-114);
  });

  it('gives equal lists one ref while used, repeated or interleaved, and a new ref once released', () => {
    const cache = new AclCache();
    const a = () => [world(31)];
    const b = () => [digest(1, 'u:x'), world(3)];
    const ra = cache.addUsage(a());
    expect(cache.addUsage(a())).toBe(ra);
    const rb = cache.addUsage(b());
    expect(rb).not.toBe(ra);
    expect(cache.addUsage(a())).toBe(ra);
    expect(cache.addUsage(b())).toBe(rb);
    expect(cache.get(rb)).toEqual(b());
    // b is used twice: two removals free it; the last-interned shortcut must not resurrect the ref
    cache.removeUsage(rb);
    cache.removeUsage(rb);
    expect(cache.has(rb)).toBe(false);
    const rb2 = cache.addUsage(b());
    expect(rb2).not.toBe(rb);
    expect(cache.get(rb2)).toEqual(b());
    // a: three usages
    for (let i = 0; i < 3; i++) cache.removeUsage(ra);
    expect(cache.has(ra)).toBe(false);
    expect(cache.size).toBe(1);
  });
});
