import { describe, it, expect } from '@jest/globals';
import { JuteDecodeError, JuteReader } from './jute-reader.js';
import { JuteWriter } from './jute-writer.js';

describe('JuteReader bulk-load reads', () => {
  it('skipBuffer returns the length and moves past the bytes (null -1, empty 0)', () => {
    const w = new JuteWriter(64);
    w.writeBuffer(Buffer.from('abc'));
    w.writeBuffer(null);
    w.writeBuffer(Buffer.alloc(0));
    w.writeInt(42);
    const r = new JuteReader(Buffer.from(w.bytes()));
    expect(r.skipBuffer()).toBe(3);
    expect(r.buf.subarray(r.offset - 3, r.offset).toString()).toBe('abc');
    expect(r.skipBuffer()).toBe(-1);
    expect(r.skipBuffer()).toBe(0);
    expect(r.readInt()).toBe(42);
  });

  it('skipBuffer rejects a length past the end', () => {
    const w = new JuteWriter(16);
    w.writeInt(10);
    w.writeInt(1);
    expect(() => new JuteReader(Buffer.from(w.bytes())).skipBuffer()).toThrow(JuteDecodeError);
  });

  it('readLongOrZero reads 0 and any other long exactly', () => {
    const values = [0n, 1n, -1n, 0x100000000n, 0x7fffffffffffffffn, -0x8000000000000000n, 0xff00000000000001n - (1n << 64n)];
    const w = new JuteWriter(8 * values.length);
    for (const v of values) w.writeLong(v);
    const r = new JuteReader(Buffer.from(w.bytes()));
    for (const v of values) expect(r.readLongOrZero()).toBe(v);
    expect(() => r.readLongOrZero()).toThrow(JuteDecodeError);
  });
});
