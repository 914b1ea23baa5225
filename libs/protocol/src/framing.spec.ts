import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { FOUR_LETTER_WORDS, FrameDecoder, FrameLengthError, fourLetterWordCode, TELNET_CLOSE_CODE, encodeFrame } from './framing.js';
import { JuteWriter } from './jute-writer.js';

function frameStream(payloads: Buffer[]): Buffer {
  const w = new JuteWriter();
  for (const p of payloads) encodeFrame(w, p);
  return Buffer.from(w.bytes());
}

function payload(n: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

/** true if `f` shares memory with `chunk` (a subarray view, not a copy) */
function isViewOf(f: Buffer, chunk: Buffer): boolean {
  return f.buffer === chunk.buffer && f.byteOffset >= chunk.byteOffset && f.byteOffset + f.length <= chunk.byteOffset + chunk.length;
}

const PAYLOADS = [payload(10, 1), payload(0, 2), payload(1, 3), payload(300, 4), payload(3, 5), payload(7, 6)];

describe('FrameDecoder', () => {
  it('yields the same frames whatever single offset the stream is split at', () => {
    const stream = frameStream(PAYLOADS);
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new FrameDecoder();
      const frames = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      expect(frames).toEqual(PAYLOADS);
      expect(d.pendingBytes).toBe(0);
    }
  });

  it('yields the same frames when fed one byte at a time', () => {
    const stream = frameStream(PAYLOADS);
    const d = new FrameDecoder();
    const frames: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) frames.push(...d.push(stream.subarray(i, i + 1)));
    expect(frames).toEqual(PAYLOADS);
  });

  it('yields the same frames for any chunking (property)', () => {
    const stream = frameStream(PAYLOADS);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 12 }), (cuts) => {
        cuts.sort((a, b) => a - b);
        const d = new FrameDecoder();
        const frames: Buffer[] = [];
        let prev = 0;
        for (const c of [...cuts, stream.length]) {
          frames.push(...d.push(stream.subarray(prev, c)));
          prev = c;
        }
        expect(frames).toEqual(PAYLOADS);
      }),
      { numRuns: 300 },
    );
  });

  it('returns views into the chunk for frames that lie inside one chunk, and copies only split frames', () => {
    const stream = frameStream(PAYLOADS);
    const d = new FrameDecoder();
    const whole = d.push(stream);
    for (const f of whole) if (f.length > 0) expect(isViewOf(f, stream)).toBe(true);
    const cut = 4 + 10 + 4 + 4 + 1 + 4 + 100; // inside the 300-byte frame
    const d2 = new FrameDecoder();
    const c1 = stream.subarray(0, cut);
    const c2 = stream.subarray(cut);
    const a = d2.push(c1);
    const b = d2.push(c2);
    expect(isViewOf(a[0]!, c1)).toBe(true);
    expect(a.map((f) => f.length)).toEqual([10, 0, 1]);
    expect(b[0]!.length).toBe(300);
    expect(isViewOf(b[0]!, c1) || isViewOf(b[0]!, c2)).toBe(false); // assembled
    expect(b[0]).toEqual(PAYLOADS[3]);
    expect(isViewOf(b[1]!, c2)).toBe(true); // later frames are views again
  });

  it('reports a negative length as soon as the 4 length bytes are in, and stays failed', () => {
    const d = new FrameDecoder();
    expect(d.push(Buffer.from([0xff, 0xff]))).toEqual([]);
    let err: unknown;
    try {
      d.push(Buffer.from([0xff, 0xfe]));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FrameLengthError);
    expect((err as FrameLengthError).length).toBe(-2);
    expect(() => d.push(frameStream([payload(1, 1)]))).toThrow(FrameLengthError);
  });

  it('reports a length above maxFrameLength before the body arrives', () => {
    const d = new FrameDecoder(100);
    expect(d.push(frameStream([payload(100, 1)]))).toHaveLength(1);
    const big = Buffer.alloc(4);
    big.writeInt32BE(101);
    expect(() => d.push(big)).toThrow(FrameLengthError);
    const d2 = new FrameDecoder();
    big.writeInt32BE(0x100000);
    try {
      d2.push(big);
      throw new Error('no throw');
    } catch (e) {
      expect(e).toBeInstanceOf(FrameLengthError);
      expect((e as FrameLengthError).length).toBe(0x100000);
      expect((e as FrameLengthError).maxFrameLength).toBe(0xfffff);
    }
  });

  it('peeks a four-letter word, also across chunks, without consuming it', () => {
    const d = new FrameDecoder();
    d.append(Buffer.from('ru'));
    expect(d.peekInt32()).toBeUndefined();
    d.append(Buffer.from('o'));
    d.append(Buffer.from('kXYZ'));
    expect(d.peekInt32()).toBe(0x72756f6b);
    expect(d.peekFourLetterWord()).toBe('ruok');
    expect(d.pendingBytes).toBe(7);
    expect(d.take(4)!.toString()).toBe('ruok');
    expect(d.take(4)).toBeUndefined();
    expect(d.take(3)!.toString()).toBe('XYZ');
  });

  it('stmk is followed by an 8-byte mask that take() can read', () => {
    const d = new FrameDecoder();
    const mask = Buffer.alloc(8);
    mask.writeBigInt64BE(0x1234n);
    d.append(Buffer.concat([Buffer.from('stmk'), mask.subarray(0, 3)]));
    expect(d.peekFourLetterWord()).toBe('stmk');
    d.take(4);
    expect(d.take(8)).toBeUndefined();
    d.append(mask.subarray(3));
    expect(d.take(8)!.readBigInt64BE()).toBe(0x1234n);
  });

  it('knows the 3.8 four-letter words', () => {
    for (const w of ['ruok', 'srvr', 'stat', 'mntr', 'cons', 'crst', 'srst', 'dump', 'envi', 'conf', 'wchs', 'wchc', 'wchp', 'dirs', 'isro', 'gtmk', 'stmk']) {
      expect(FOUR_LETTER_WORDS.get(fourLetterWordCode(w))).toBe(w);
    }
    expect(FOUR_LETTER_WORDS.get(TELNET_CLOSE_CODE)).toBe('telnet close');
    expect(FOUR_LETTER_WORDS.has(0x00000010)).toBe(false);
  });
});

describe('notificationFrame', () => {
  it('holds the same bytes as encodeNotification', async () => {
    const { encodeNotification, notificationFrame } = await import('./framing.js');
    for (const [event, zxid] of [
      [{ type: 3, state: 3, path: '/a/b' }, -1],
      [{ type: 4, state: 3, path: '/ünïcode/ノード' }, 0x1_0000_0007],
      [{ type: 1, state: 3, path: '' }, 5],
    ] as const) {
      const w = new JuteWriter();
      encodeNotification(w, event, zxid);
      expect(notificationFrame(event, zxid).equals(w.bytes())).toBe(true);
    }
  });
});
