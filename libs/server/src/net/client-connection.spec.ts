import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { JuteReader } from '@paddock/protocol';
import { ClientConnection, type ConnectionHost } from './client-connection.js';

/** The transport side only: chunks are emitted as 'data' exactly as given, so every split can be chosen. */
class ChunkSocket extends EventEmitter {
  remoteAddress = '127.0.0.1';
  remotePort = 40000;
  destroyed = false;
  writableLength = 0;
  setNoDelay(): void {}
  write(): boolean {
    return true;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

interface Received {
  kind: 'connect' | 'request' | 'word';
  bytes: Buffer;
}

/** `closeOnConnect`: the host closes the connection when handed the connect frame (e.g. a refused session). */
function connection(maxFrameLength = 1000, closeOnConnect = false) {
  const received: Received[] = [];
  const warnings: string[] = [];
  let closed = 0;
  const copy = (r: JuteReader) => Buffer.from(r.buf.subarray(r.offset, r.end));
  const host: ConnectionHost = {
    maxFrameLength,
    onConnectFrame(conn, r) {
      received.push({ kind: 'connect', bytes: copy(r) });
      if (closeOnConnect) conn.close();
      else conn.established = true;
    },
    onRequestFrame(_conn, r) {
      received.push({ kind: 'request', bytes: copy(r) });
    },
    onFourLetterWord(conn, word) {
      received.push({ kind: 'word', bytes: Buffer.from(word) });
      conn.close();
    },
    onClosed() {
      closed++;
    },
    log(_level, message) {
      warnings.push(message);
    },
  };
  const socket = new ChunkSocket();
  const conn = new ClientConnection(socket as unknown as Socket, host);
  const feed = (...chunks: Buffer[]) => chunks.forEach((c) => socket.emit('data', c));
  return { conn, socket, received, warnings, feed, closedCount: () => closed };
}

function frame(payload: Buffer): Buffer {
  const b = Buffer.alloc(4 + payload.length);
  b.writeInt32BE(payload.length, 0);
  payload.copy(b, 4);
  return b;
}

// a connect frame, then requests of several sizes (an empty one included)
const payloads = [Buffer.alloc(44, 1), Buffer.from([0, 0, 0, 1, 0, 0, 0, 3, 9]), Buffer.alloc(0), Buffer.alloc(300, 7), Buffer.from('tail')];
const stream = Buffer.concat(payloads.map(frame));
const expected: Received[] = payloads.map((bytes, i) => ({ kind: i === 0 ? 'connect' : 'request', bytes }));

describe('ClientConnection framing', () => {
  it('delivers every frame once and in order, whole or split at any byte', () => {
    const whole = connection();
    whole.feed(stream);
    expect(whole.received).toEqual(expected);
    for (let cut = 1; cut < stream.length; cut++) {
      const c = connection();
      c.feed(stream.subarray(0, cut), stream.subarray(cut));
      expect(c.received).toEqual(expected);
    }
    for (let cut = 1; cut + 7 < stream.length; cut += 7) {
      const c = connection();
      c.feed(stream.subarray(0, cut), stream.subarray(cut, cut + 7), stream.subarray(cut + 7));
      expect(c.received).toEqual(expected);
    }
    const bytewise = connection();
    for (let i = 0; i < stream.length; i++) bytewise.feed(stream.subarray(i, i + 1));
    expect(bytewise.received).toEqual(expected);
    expect(bytewise.conn.packetsReceived).toBe(payloads.length);
  });

  it('closes the connection on a frame length above the maximum or below zero, keeping the frames before it', () => {
    for (const badLength of [1001, -2]) {
      const bad = Buffer.alloc(8);
      bad.writeInt32BE(badLength, 0);
      for (const chunks of [[Buffer.concat([frame(payloads[0]!), bad])], [frame(payloads[0]!), bad.subarray(0, 2), bad.subarray(2)]]) {
        const c = connection();
        c.feed(...chunks);
        expect(c.received).toEqual([expected[0]]);
        expect(c.conn.isClosed).toBe(true);
        expect(c.closedCount()).toBe(1);
        expect(c.warnings.join('\n')).toContain(`Len error ${badLength}`);
        c.feed(frame(payloads[1]!)); // nothing is read after the close
        expect(c.received).toHaveLength(1);
      }
    }
  });

  it('stops reading the frames of a chunk once one of them closed the connection', () => {
    const c = connection(1000, true);
    c.feed(stream);
    expect(c.received).toEqual([expected[0]]);
    expect(c.conn.isClosed).toBe(true);
    expect(c.conn.packetsReceived).toBe(1);
  });

  it('recognises a four-letter word, also when it arrives in pieces', () => {
    for (const chunks of [[Buffer.from('ruok')], [Buffer.from('r'), Buffer.from('uo'), Buffer.from('k')]]) {
      const c = connection();
      c.feed(...chunks);
      expect(c.received).toEqual([{ kind: 'word', bytes: Buffer.from('ruok') }]);
      expect(c.conn.isClosed).toBe(true);
    }
  });
});
