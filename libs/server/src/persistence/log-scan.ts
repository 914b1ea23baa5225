import { adler32 } from './adler32.js';
import { EOR, FILE_FORMAT_VERSION, FILE_HEADER_SIZE, TXNLOG_MAGIC, payloadZxid } from './files.js';

/** Bytes before the payload of an entry: long checksum + int length. */
export const ENTRY_PREFIX = 12;
/** Bytes of framing per entry: prefix + trailing 'B'. */
export const ENTRY_OVERHEAD = ENTRY_PREFIX + 1;
/** Smallest payload we accept: it must reach the zxid field of the TxnHeader. */
export const MIN_PAYLOAD = 20;

export type HeaderState = 'ok' | 'missing' | 'bad';

export interface SegmentScan {
  header: HeaderState;
  /** Why the header is bad, when it is. */
  headerReason?: string;
  /** Offset just past the last good entry (FILE_HEADER_SIZE when there is none). */
  goodEnd: number;
  count: number;
  firstZxid: number;
  lastZxid: number;
  /**
   * Set when reading stopped on something other than a clean end (EOF or preallocated zeros):
   * where the bad bytes start and why.
   */
  problem?: { offset: number; reason: string };
  /** Set when a fully valid entry was found somewhere after `problem`: the damage is not a torn tail. */
  validAfter?: number;
}

/**
 * Called for each good entry, in order. The payload is `buf[start, end)`.
 * Returning a string stops the scan and reports that string as an ordering error at `offset`.
 */
export type EntryVisitor = (zxid: number, start: number, end: number, offset: number) => string | void;

const ZEROS = Buffer.alloc(64 * 1024);

/** First index in [from, end) holding a non-zero byte, or `end`. Compares 64 KB blocks natively. */
export function nextNonZero(buf: Buffer, from: number, end: number): number {
  let p = from;
  while (end - p >= ZEROS.length) {
    if (buf.compare(ZEROS, 0, ZEROS.length, p, p + ZEROS.length) !== 0) break;
    p += ZEROS.length;
  }
  for (; p < end; p++) if (buf[p] !== 0) return p;
  return end;
}

function allZero(buf: Buffer, from: number, to: number): boolean {
  return nextNonZero(buf, from, to) === to;
}

/**
 * Checks whether a complete, checksum-valid entry starts at `p`. Returns the payload length or -1.
 */
export function validEntryAt(buf: Buffer, p: number, end: number): number {
  if (p + ENTRY_OVERHEAD + MIN_PAYLOAD > end) return -1;
  // An Adler-32 stored as a long has a zero high word, and its low word is never zero.
  if (buf[p] !== 0 || buf[p + 1] !== 0 || buf[p + 2] !== 0 || buf[p + 3] !== 0) return -1;
  const crc = buf.readUInt32BE(p + 4);
  if (crc === 0) return -1;
  const len = buf.readInt32BE(p + 8);
  if (len < MIN_PAYLOAD || p + ENTRY_OVERHEAD + len > end) return -1;
  if (buf[p + ENTRY_PREFIX + len] !== EOR) return -1;
  const start = p + ENTRY_PREFIX;
  if (adler32(buf, start, start + len) !== crc) return -1;
  return len;
}

/** First offset >= from where a valid entry starts, or -1. Used to tell a torn tail from mid-log damage. */
export function findValidEntry(buf: Buffer, from: number, end: number): number {
  const last = end - ENTRY_OVERHEAD - MIN_PAYLOAD;
  for (let p = from; p <= last; p++) {
    // cheap pre-filter: zero high word of the checksum, non-zero low word
    if (buf[p] !== 0 || buf[p + 1] !== 0 || buf[p + 2] !== 0 || buf[p + 3] !== 0) continue;
    if (buf[p + 4] === 0 && buf[p + 5] === 0 && buf[p + 6] === 0 && buf[p + 7] === 0) {
      // Inside a zero run: the next candidate needs a non-zero checksum byte, so jump close to it.
      const q = nextNonZero(buf, p + 8, end);
      if (q - 8 > p) p = q - 8;
      continue;
    }
    if (validEntryAt(buf, p, end) >= 0) return p;
  }
  return -1;
}

/** Checks a txn log FileHeader. */
export function checkLogHeader(buf: Buffer): { state: HeaderState; reason?: string } {
  if (buf.length < FILE_HEADER_SIZE) {
    return allZero(buf, 0, buf.length)
      ? { state: 'missing', reason: `file is ${buf.length} bytes, shorter than its header` }
      : { state: 'bad', reason: `file is ${buf.length} bytes, shorter than its header` };
  }
  const magic = buf.readInt32BE(0);
  const version = buf.readInt32BE(4);
  if (magic === TXNLOG_MAGIC && version === FILE_FORMAT_VERSION) return { state: 'ok' };
  if (allZero(buf, 0, FILE_HEADER_SIZE)) return { state: 'missing', reason: 'header is all zeros' };
  return {
    state: 'bad',
    reason: `bad header magic 0x${(magic >>> 0).toString(16)} version ${version} (want ZKLG version 2)`,
  };
}

/**
 * Reads the entries of one txn log segment held in `buf`, following ZooKeeper's rules (a zero
 * length is the end of the preallocated region; a short read or a missing 'B' ends the data), but
 * records where and why reading stopped so the caller can tell a torn tail from corruption.
 */
export function scanSegment(buf: Buffer, visit?: EntryVisitor): SegmentScan {
  const end = buf.length;
  const h = checkLogHeader(buf);
  const scan: SegmentScan = {
    header: h.state,
    goodEnd: FILE_HEADER_SIZE,
    count: 0,
    firstZxid: -1,
    lastZxid: -1,
  };
  if (h.reason !== undefined) scan.headerReason = h.reason;
  if (h.state !== 'ok') {
    scan.goodEnd = 0;
    return scan;
  }
  let p = FILE_HEADER_SIZE;
  let problem: string | undefined;
  for (;;) {
    if (p + ENTRY_PREFIX > end) {
      if (p < end && !allZero(buf, p, end)) problem = 'partial entry at end of file';
      break;
    }
    const hi = buf.readUInt32BE(p);
    const crc = buf.readUInt32BE(p + 4);
    const len = buf.readInt32BE(p + 8);
    if (len === 0) {
      // ZooKeeper's EOF: an empty entry (the preallocated zero region).
      if (!allZero(buf, p, end)) problem = 'zero-length entry followed by non-zero bytes';
      break;
    }
    if (len < 0 || p + ENTRY_OVERHEAD + len > end) {
      problem = len < 0 ? `negative entry length ${len}` : `entry length ${len} runs past end of file`;
      break;
    }
    const start = p + ENTRY_PREFIX;
    const stop = start + len;
    if (buf[stop] !== EOR) {
      problem = `missing end-of-record 'B' (found 0x${buf[stop]!.toString(16)})`;
      break;
    }
    if (hi !== 0 || adler32(buf, start, stop) !== crc) {
      problem = 'checksum mismatch';
      break;
    }
    if (len < MIN_PAYLOAD) {
      problem = `entry of ${len} bytes is too short to hold a TxnHeader`;
      break;
    }
    const zxid = payloadZxid(buf, start);
    if (visit) {
      const err = visit(zxid, start, stop, p);
      if (typeof err === 'string') {
        scan.problem = { offset: p, reason: err };
        scan.validAfter = p; // the offending entry itself is valid: never a torn tail
        return scan;
      }
    }
    if (scan.count === 0) scan.firstZxid = zxid;
    scan.lastZxid = zxid;
    scan.count++;
    p = stop + 1;
    scan.goodEnd = p;
  }
  if (problem !== undefined) {
    scan.problem = { offset: p, reason: problem };
    const v = findValidEntry(buf, p + 1, end);
    if (v >= 0) scan.validAfter = v;
  }
  return scan;
}
