import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { JuteWriter } from './jute-writer.js';

function expected(s: string): Buffer {
  const body = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(4);
  len.writeInt32BE(body.length);
  return Buffer.concat([len, body]);
}

describe('JuteWriter.writeString', () => {
  it.each(['', '/', '/a/b/c', 'x'.repeat(256), 'y'.repeat(257), '/ünï', 'a\u0080', '\u{1F600}', 'ab\uD800cd'])('encodes %j as length + UTF-8', (s) => {
    const w = new JuteWriter(1);
    w.writeString(s);
    expect(w.bytes().equals(expected(s))).toBe(true);
  });

  it('matches Buffer.from(utf8) for any string, after other data', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.integer({ min: 0, max: 7 }), (s, pad) => {
        const w = new JuteWriter(2);
        for (let i = 0; i < pad; i++) w.writeByte(i);
        w.writeString(s);
        expect(w.bytes().subarray(pad).equals(expected(s))).toBe(true);
      }),
    );
  });
});

describe('JuteWriter.writeJoinedString', () => {
  it('writes prefix + name exactly as writeString of the joined string, for any two strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 }), fc.integer({ min: 0, max: 5 }), (prefix, name, pad) => {
        const w = new JuteWriter(2);
        for (let i = 0; i < pad; i++) w.writeByte(i);
        w.writeJoinedString(prefix, name);
        expect(w.bytes().subarray(pad).equals(expected(prefix + name))).toBe(true);
      }),
    );
  });

  it('handles an ASCII prefix with a non-ASCII name and the 256-unit boundary', () => {
    for (const [prefix, name] of [['/a/', 'ünï'], ['/dir/', 'x'.repeat(251)], ['/dir/', 'x'.repeat(252)], ['', '']]) {
      const w = new JuteWriter(1);
      w.writeJoinedString(prefix!, name!);
      expect(w.bytes().equals(expected(prefix! + name!))).toBe(true);
    }
  });
});

describe('JuteWriter numbers', () => {
  it('writes ints, exact longs and frame lengths big-endian, across buffer growth', () => {
    const w = new JuteWriter(1);
    const at = w.startFrame();
    w.writeInt(-2).writeLongNumber(2 ** 53 - 1).writeLongNumber(-(2 ** 40) - 5).writeBuffer(Buffer.from('xy'));
    w.endFrame(at);
    const b = w.bytes();
    expect(b.readInt32BE(0)).toBe(b.length - 4);
    expect(b.readInt32BE(4)).toBe(-2);
    expect(b.readBigInt64BE(8)).toBe(BigInt(2 ** 53 - 1));
    expect(b.readBigInt64BE(16)).toBe(BigInt(-(2 ** 40) - 5));
    expect(b.readInt32BE(24)).toBe(2);
    expect(b.subarray(28).toString()).toBe('xy');
  });
});
