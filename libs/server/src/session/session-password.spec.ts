import { describe, expect, it } from '@jest/globals';
import { passwordMatches, sessionPassword } from './session-password.js';

describe('sessionPassword', () => {
  // fixtures printed by java: new java.util.Random(id ^ 0xB3415C00L).nextBytes(new byte[16])
  const fixtures: Array<[bigint, string]> = [
    [0n, 'f22acd4a97e69d6d20a49bb638eadb38'],
    [1n, '054cc74a37327db215e702e20c73f005'],
    [72057594037927936n, 'f22acd4a97e69d6d20a49bb638eadb38'],
    [-9223372036854775807n, '054cc74a37327db215e702e20c73f005'],
    [123456789012345n, '8bf4c71b6a74227de170ea4c5d4abf4c'],
  ];
  it.each(fixtures)('matches Java ZooKeeper for session %s', (id, hex) => {
    expect(sessionPassword(id).toString('hex')).toBe(hex);
  });

  it('accepts only the exact 16-byte password', () => {
    const pw = sessionPassword(42n);
    expect(passwordMatches(42n, pw)).toBe(true);
    expect(passwordMatches(43n, pw)).toBe(false);
    expect(passwordMatches(42n, pw.subarray(0, 15))).toBe(false);
    expect(passwordMatches(42n, null)).toBe(false);
  });
});
