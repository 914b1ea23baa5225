import { describe, it, expect } from '@jest/globals';
import { deflateSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { adler32 } from './adler32.js';

/** The zlib format ends with the Adler-32 of the uncompressed data: an independent oracle. */
function zlibAdler(data: Buffer): number {
  const z = deflateSync(data, { level: 0 });
  return z.readUInt32BE(z.length - 4);
}

function naive(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const x of data) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

describe('adler32', () => {
  it('matches known vectors', () => {
    expect(adler32(Buffer.from('Wikipedia'))).toBe(0x11e60398);
    expect(adler32(Buffer.alloc(0))).toBe(1);
  });

  it('matches zlib and a naive implementation on many sizes, including all-0xff worst cases', () => {
    for (const n of [1, 7, 8, 9, 15, 16, 17, 100, 3799, 3800, 3801, 5551, 5552, 5553, 7601, 11104, 11105, 65536, 100_003]) {
      const r = randomBytes(n);
      expect(adler32(r)).toBe(zlibAdler(r));
      expect(adler32(r)).toBe(naive(r));
      const ff = Buffer.alloc(n, 0xff);
      expect(adler32(ff)).toBe(zlibAdler(ff));
    }
  });

  it('is incremental and honours start/end', () => {
    const r = randomBytes(50_000);
    const whole = adler32(r);
    let acc = adler32(r, 0, 0);
    for (let i = 0; i < r.length; i += 777) acc = adler32(r, i, Math.min(r.length, i + 777), acc);
    expect(acc).toBe(whole);
    expect(adler32(r, 100, 200)).toBe(adler32(r.subarray(100, 200)));
  });
});
