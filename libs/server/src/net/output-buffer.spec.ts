import { describe, it, expect } from '@jest/globals';
import type { Socket } from 'node:net';
import { OutputBuffer, flushOutputNow } from './output-buffer.js';

class FakeSocket {
  destroyed = false;
  writableLength = 0;
  readonly writes: Buffer[] = [];
  write(b: Buffer): boolean {
    this.writes.push(b);
    return true;
  }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('OutputBuffer', () => {
  it('sends the frames of one turn in one write per connection, and keeps earlier writes intact', async () => {
    const sockets = [new FakeSocket(), new FakeSocket()];
    const outs = sockets.map((s) => new OutputBuffer(s as unknown as Socket));
    for (let round = 0; round < 3; round++) {
      outs.forEach((o, i) => {
        o.frame((w) => w.writeInt(100 * round + i));
        o.frame((w) => w.writeString(`r${round}c${i}`));
      });
      await turn();
    }
    sockets.forEach((s, i) => {
      expect(s.writes).toHaveLength(3);
      s.writes.forEach((b, round) => {
        const text = `r${round}c${i}`;
        expect(b.length).toBe(8 + 8 + text.length);
        expect(b.readInt32BE(0)).toBe(4);
        expect(b.readInt32BE(4)).toBe(100 * round + i);
        expect(b.readInt32BE(8)).toBe(4 + text.length);
        expect(b.toString('utf8', 16)).toBe(text);
      });
    });
  });

  it('shares one encoded frame between connections and hands large output over whole', async () => {
    const a = new FakeSocket();
    const b = new FakeSocket();
    const frame = Buffer.from([0, 0, 0, 2, 7, 9]);
    new OutputBuffer(a as unknown as Socket).encodedFrame(frame);
    const big = new OutputBuffer(b as unknown as Socket);
    big.frame((w) => w.writeBuffer(Buffer.alloc(100_000, 5)));
    await turn();
    expect(a.writes).toEqual([frame]);
    expect(b.writes).toHaveLength(1);
    expect(b.writes[0]!.length).toBe(4 + 4 + 100_000);
    expect(b.writes[0]![8 + 99_999]).toBe(5);
  });

  it('hands a lone shared frame to the socket as it is, and keeps it in order with frames around it', async () => {
    const shared = Buffer.from([0, 0, 0, 1, 42]);
    const alone = new FakeSocket();
    new OutputBuffer(alone as unknown as Socket).encodedFrame(shared);
    const after = new FakeSocket();
    const afterOut = new OutputBuffer(after as unknown as Socket);
    afterOut.encodedFrame(shared);
    afterOut.frame((w) => w.writeInt(7)); // e.g. the reply that follows the watch event
    afterOut.encodedFrame(shared);
    const before = new FakeSocket();
    const beforeOut = new OutputBuffer(before as unknown as Socket);
    beforeOut.frame((w) => w.writeInt(8));
    beforeOut.encodedFrame(shared);
    expect(afterOut.pendingBytes).toBe(5 + 8 + 5);
    await turn();
    expect(alone.writes).toHaveLength(1);
    expect(alone.writes[0]).toBe(shared); // no copy
    expect(after.writes).toEqual([Buffer.from([0, 0, 0, 1, 42, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 1, 42])]);
    expect(before.writes).toEqual([Buffer.from([0, 0, 0, 4, 0, 0, 0, 8, 0, 0, 0, 1, 42])]);
    expect(shared).toEqual(Buffer.from([0, 0, 0, 1, 42])); // never written into
  });

  it('encodes a frame opened with openFrame exactly as frame() does, in order with the frames around it', async () => {
    const s = new FakeSocket();
    const o = new OutputBuffer(s as unknown as Socket);
    o.frame((w) => w.writeInt(1));
    const w = o.openFrame();
    w.writeInt(2);
    w.writeString('ab');
    o.closeFrame();
    o.frame((w) => w.writeInt(3));
    expect(o.pendingBytes).toBe(8 + 14 + 8);
    await turn();
    expect(s.writes).toEqual([Buffer.from([0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 10, 0, 0, 0, 2, 0, 0, 0, 2, 97, 98, 0, 0, 0, 4, 0, 0, 0, 3])]);
    expect(o.framesSent).toBe(3);
  });

  it('flushOutputNow writes every connection at once; output queued afterwards still goes out at the end of the turn', async () => {
    const sockets = [new FakeSocket(), new FakeSocket()];
    const outs = sockets.map((s) => new OutputBuffer(s as unknown as Socket));
    outs.forEach((o, i) => o.frame((w) => w.writeInt(i)));
    flushOutputNow();
    expect(sockets.map((s) => s.writes)).toEqual([[Buffer.from([0, 0, 0, 4, 0, 0, 0, 0])], [Buffer.from([0, 0, 0, 4, 0, 0, 0, 1])]]);
    outs[1]!.frame((w) => w.writeInt(9));
    await turn();
    expect(sockets[0]!.writes).toHaveLength(1); // nothing written twice
    expect(sockets[1]!.writes).toEqual([Buffer.from([0, 0, 0, 4, 0, 0, 0, 1]), Buffer.from([0, 0, 0, 4, 0, 0, 0, 9])]);
  });

  it('drops output for a destroyed socket', async () => {
    const s = new FakeSocket();
    const o = new OutputBuffer(s as unknown as Socket);
    o.frame((w) => w.writeInt(1));
    s.destroyed = true;
    await turn();
    expect(s.writes).toHaveLength(0);
    expect(o.pendingBytes).toBe(0);
  });
});
