import { describe, expect, test } from '@jest/globals';
import type { Stat } from '@paddock/client';
import { formatStat } from './stat-format.js';

describe('formatStat (StatPrinter)', () => {
  test('prints every field in zkCli order, zxids and owner in hex', () => {
    const stat: Stat = {
      czxid: 0x44,
      mzxid: 0x57,
      ctime: Date.UTC(2026, 10, 22, 8, 44, 57, 123),
      mtime: Date.UTC(2026, 10, 22, 8, 45, 0),
      version: 2,
      cversion: 1,
      aversion: 0,
      ephemeralOwner: 0x100012f3a5b0001n,
      dataLength: 5,
      numChildren: 3,
      pzxid: 0x1_0000_0050,
    };
    expect(formatStat(stat, 'UTC')).toBe(
      [
        'cZxid = 0x44',
        'ctime = Sun Nov 22 08:44:57 UTC 2026',
        'mZxid = 0x57',
        'mtime = Sun Nov 22 08:45:00 UTC 2026',
        'pZxid = 0x100000050',
        'cversion = 1',
        'dataVersion = 2',
        'aclVersion = 0',
        'ephemeralOwner = 0x100012f3a5b0001',
        'dataLength = 5',
        'numChildren = 3',
        '',
      ].join('\n'),
    );
  });

  test('the root node: zero zxids and the epoch', () => {
    const text = formatStat(
      { czxid: 0, mzxid: 0, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 0, numChildren: 2, pzxid: 0 },
      'UTC',
    );
    expect(text).toContain('cZxid = 0x0\nctime = Thu Jan 01 00:00:00 UTC 1970\n');
    expect(text).toContain('ephemeralOwner = 0x0\n');
  });
});
