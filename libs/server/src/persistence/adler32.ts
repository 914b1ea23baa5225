/**
 * Adler-32 (RFC 1950), bit-compatible with java.util.zip.Adler32 — the checksum ZooKeeper uses for
 * txn log entries and snapshot seals.
 *
 * The sums are reduced modulo 65521 only once per block of NMAX bytes (the largest n for which
 * the running `b` cannot exceed 2^32-1), and the inner loop is unrolled by 8.
 */

const BASE = 65521;
const NMAX = 5552;

/** Initial value of a running Adler-32 (the checksum of zero bytes). */
export const ADLER32_INIT = 1;

/**
 * Adler-32 of `data[start, end)`, continuing from `prev` (pass the previous result to checksum a
 * stream in pieces). Returns an unsigned 32-bit value.
 */
export function adler32(
  data: Uint8Array,
  start = 0,
  end = data.length,
  prev: number = ADLER32_INIT,
): number {
  let a = prev & 0xffff;
  let b = (prev >>> 16) & 0xffff;
  let i = start;
  while (i < end) {
    const blockEnd = Math.min(end, i + NMAX);
    const unrolledEnd = blockEnd - 8;
    while (i <= unrolledEnd) {
      a += data[i]!; b += a;
      a += data[i + 1]!; b += a;
      a += data[i + 2]!; b += a;
      a += data[i + 3]!; b += a;
      a += data[i + 4]!; b += a;
      a += data[i + 5]!; b += a;
      a += data[i + 6]!; b += a;
      a += data[i + 7]!; b += a;
      i += 8;
    }
    while (i < blockEnd) {
      a += data[i++]!;
      b += a;
    }
    a %= BASE;
    b %= BASE;
  }
  return ((b << 16) | a) >>> 0;
}
