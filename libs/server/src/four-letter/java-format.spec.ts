import { describe, expect, it } from '@jest/globals';
import {
  expandIPv6,
  formatAvgLatency,
  javaDateToString,
  javaDoubleToString,
  javaLongHex,
  javaSocketAddress,
  roundHalfUp,
} from './java-format.js';
import { AvgMinMaxCounter, BufferStats } from './stats.js';

// Expected values were printed by OpenJDK 17 (Double.toString, BigDecimal.setScale(4, HALF_UP),
// Date.toString with TZ=UTC, InetSocketAddress.toString).

describe('javaDoubleToString', () => {
  it.each<[number, string]>([
    [0, '0.0'],
    [-0, '-0.0'],
    [4, '4.0'],
    [0.3333, '0.3333'],
    [1 / 3, '0.3333333333333333'],
    [0.12345, '0.12345'],
    [1.5e-4, '1.5E-4'],
    [1e-4, '1.0E-4'],
    [9e-4, '9.0E-4'],
    [0.001, '0.001'],
    [2.5, '2.5'],
    [1234567.89, '1234567.89'],
    [12345678.9, '1.23456789E7'],
    [1e7, '1.0E7'],
    [1e-10, '1.0E-10'],
    [123456789012, '1.23456789012E11'],
    [-2.5, '-2.5'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
  ])('%p -> %s', (d, s) => {
    expect(javaDoubleToString(d)).toBe(s);
  });
});

describe('roundHalfUp (BigDecimal of the exact binary value, 4 places)', () => {
  it.each<[number, number]>([
    [0, 0],
    [4, 4],
    [1 / 3, 0.3333],
    [2 / 3, 0.6667],
    [0.12345, 0.1235], // 0.12345 is 0.1234500000000000041... in binary
    [1.5e-4, 1e-4], // 1.5e-4 is 1.4999999999999999e-4 in binary
    [5e-5, 1e-4],
    [4e-5, 0],
    [100 / 7, 14.2857],
    [1234567.89, 1234567.89],
    [-1 / 3, -0.3333],
  ])('%p -> %p', (x, r) => {
    expect(roundHalfUp(x, 4)).toBe(r);
  });

  it('formats the average latency like ServerStats', () => {
    expect(formatAvgLatency(0)).toBe('0.0');
    expect(formatAvgLatency(4)).toBe('4.0');
    expect(formatAvgLatency(1.5e-4)).toBe('1.0E-4');
    expect(formatAvgLatency(100 / 7)).toBe('14.2857');
  });
});

describe('javaLongHex', () => {
  it('prints two-complement 64-bit hex without leading zeros', () => {
    expect(javaLongHex(0n)).toBe('0');
    expect(javaLongHex(0x100000726cb0000n)).toBe('100000726cb0000');
    expect(javaLongHex(-1n)).toBe('ffffffffffffffff');
    expect(javaLongHex(-1)).toBe('ffffffffffffffff');
    expect(javaLongHex(4)).toBe('4');
  });
});

describe('javaSocketAddress', () => {
  it.each<[string, string]>([
    ['127.0.0.1', '/127.0.0.1:5'],
    ['::1', '/[0:0:0:0:0:0:0:1]:5'],
    ['fe80::1:2', '/[fe80:0:0:0:0:0:1:2]:5'],
    ['::ffff:10.1.2.3', '/10.1.2.3:5'],
  ])('%s', (addr, s) => {
    expect(javaSocketAddress(addr, 5)).toBe(s);
  });

  it('expands IPv6 like Inet6Address.getHostAddress', () => {
    expect(expandIPv6('2001:DB8::0001')).toBe('2001:db8:0:0:0:0:0:1');
    expect(expandIPv6('::')).toBe('0:0:0:0:0:0:0:0');
    expect(expandIPv6('fe80::1%eth0')).toBe('fe80:0:0:0:0:0:0:1%eth0');
    expect(expandIPv6('64:ff9b::192.0.2.33')).toBe('64:ff9b:0:0:0:0:c000:221');
  });
});

describe('javaDateToString', () => {
  it('prints EEE MMM dd HH:mm:ss zzz yyyy', () => {
    expect(javaDateToString(1795335011000)).toBe('Sun Nov 22 08:10:11 UTC 2026');
    expect(javaDateToString(Date.UTC(2024, 0, 5, 0, 0, 7))).toBe('Fri Jan 05 00:00:07 UTC 2024');
  });

  it('takes a time zone', () => {
    expect(javaDateToString(Date.UTC(2024, 0, 5, 0, 0, 7), 'America/Los_Angeles')).toBe('Thu Jan 04 16:00:07 PST 2024');
  });
});

describe('AvgMinMaxCounter', () => {
  it('is all zero when empty and rounds the average', () => {
    const c = new AvgMinMaxCounter();
    expect([c.getMin(), c.getAvg(), c.getMax(), c.getCount()]).toEqual([0, 0, 0, 0]);
    [1, 2, 2].forEach((v) => c.add(v));
    expect([c.getMin(), c.getAvg(), c.getMax(), c.getCount(), c.getTotal()]).toEqual([1, 1.6667, 2, 3, 5]);
    c.resetMax();
    expect(c.getMax()).toBe(1);
    c.reset();
    expect([c.getMin(), c.getAvg(), c.getMax()]).toEqual([0, 0, 0]);
  });
});

describe('BufferStats', () => {
  it('starts at -1/-1/-1 and tracks last/min/max', () => {
    const b = new BufferStats();
    expect(b.toString()).toBe('-1/-1/-1');
    b.setLastBufferSize(113);
    b.setLastBufferSize(16);
    expect(b.toString()).toBe('16/16/113');
    b.reset();
    expect(b.toString()).toBe('-1/-1/-1');
  });
});
