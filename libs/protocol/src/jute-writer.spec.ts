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
