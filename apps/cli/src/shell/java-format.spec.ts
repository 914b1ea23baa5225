import { describe, expect, test } from '@jest/globals';
import { javaDateString, longToHex } from './java-format.js';

describe('javaDateString (java.util.Date.toString)', () => {
  test('the epoch in UTC', () => {
    expect(javaDateString(0, 'UTC')).toBe('Thu Jan 01 00:00:00 UTC 1970');
  });
  test('day and time fields are zero-padded, 24-hour clock', () => {
    expect(javaDateString(Date.UTC(2026, 10, 22, 8, 4, 5), 'UTC')).toBe('Sun Nov 22 08:04:05 UTC 2026');
    expect(javaDateString(Date.UTC(2024, 1, 29, 23, 59, 59, 999), 'UTC')).toBe('Thu Feb 29 23:59:59 UTC 2024');
  });
  test('midnight is 00, not 24', () => {
    expect(javaDateString(Date.UTC(2025, 0, 1, 0, 30, 0), 'UTC')).toBe('Wed Jan 01 00:30:00 UTC 2025');
  });
  test('other zones shift the fields and name the zone', () => {
    expect(javaDateString(Date.UTC(2025, 0, 1, 0, 30, 0), 'America/Los_Angeles')).toBe('Tue Dec 31 16:30:00 PST 2024');
    expect(javaDateString(Date.UTC(2025, 6, 1, 12, 0, 0), 'America/New_York')).toBe('Tue Jul 01 08:00:00 EDT 2025');
  });
});

describe('longToHex (Long.toHexString)', () => {
  test('non-negative values', () => {
    expect(longToHex(0)).toBe('0');
    expect(longToHex(0x1a2b)).toBe('1a2b');
    expect(longToHex(0x100000000n)).toBe('100000000');
  });
  test('negative values as two\'s complement', () => {
    expect(longToHex(-1n)).toBe('ffffffffffffffff');
    expect(longToHex(-2)).toBe('fffffffffffffffe');
  });
});
