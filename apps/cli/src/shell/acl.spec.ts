import { describe, expect, test } from '@jest/globals';
import { formatAclEntry, javaSplit, juteIdString, parseAcl, permString } from './acl.js';

describe('parseAcl (AclParser)', () => {
  test('world:anyone:cdrwa', () => {
    expect(parseAcl('world:anyone:cdrwa')).toEqual({ acl: [{ id: { scheme: 'world', id: 'anyone' }, perms: 31 }], warnings: [] });
  });
  test('several entries; the id spans from the first to the last colon', () => {
    const { acl, warnings } = parseAcl('digest:user:c2VjcmV0:rw,ip:10.0.0.1:r');
    expect(warnings).toEqual([]);
    expect(acl).toEqual([
      { id: { scheme: 'digest', id: 'user:c2VjcmV0' }, perms: 3 },
      { id: { scheme: 'ip', id: '10.0.0.1' }, perms: 1 },
    ]);
  });
  test('malformed entries are skipped with zkCli\'s message, unknown perms are reported', () => {
    expect(parseAcl('bad,world:anyone:rx')).toEqual({
      acl: [{ id: { scheme: 'world', id: 'anyone' }, perms: 1 }],
      warnings: ['bad does not have the form scheme:id:perm', 'Unknown perm type: x'],
    });
    expect(parseAcl('world:anyone')).toEqual({ acl: [], warnings: ['world:anyone does not have the form scheme:id:perm'] });
  });
  test('empty perms and an empty id are allowed, as in Java', () => {
    expect(parseAcl('auth::')).toEqual({ acl: [{ id: { scheme: 'auth', id: '' }, perms: 0 }], warnings: [] });
  });
});

describe('ACL printing', () => {
  test('permString orders the letters c d r w a', () => {
    expect(permString(31)).toBe('cdrwa');
    expect(permString(1 | 16)).toBe('ra');
    expect(permString(0)).toBe('');
  });
  test('jute Id.toString: quoted CSV with a trailing newline, special characters escaped', () => {
    expect(juteIdString({ scheme: 'world', id: 'anyone' })).toBe("'world,'anyone\n");
    expect(juteIdString({ scheme: 'x', id: 'a,b%}' })).toBe("'x,'a%2Cb%25%7D\n");
  });
  test('formatAclEntry is what getAcl prints', () => {
    expect(formatAclEntry({ id: { scheme: 'digest', id: 'u:x' }, perms: 1 })).toBe("'digest,'u:x\n: r");
  });
  test('javaSplit drops trailing empty strings', () => {
    expect(javaSplit('a,,b,,', ',')).toEqual(['a', '', 'b']);
    expect(javaSplit('', ',')).toEqual(['']);
    expect(javaSplit(',,', ',')).toEqual([]);
  });
});
