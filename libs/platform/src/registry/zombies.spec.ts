import { describe, expect, it } from '@jest/globals';
import { classifyOwner, parseCons, parseDumpSessions } from './zombies.js';

describe('zombie detection parsing', () => {
  const cons =
    ' /127.0.0.1:50814[1](queued=0,recved=6,sent=6,sid=0x100000726cb0000,lop=GETC,est=1795335000390,to=30000,lcxid=0x5,lzxid=0x9,lresp=1,llat=0,minlat=0,avglat=0,maxlat=1)\n' +
    ' /127.0.0.1:50830[0](queued=0,recved=1,sent=0)\n';
  const dump =
    'SessionTracker dump:\nSession Sets (2)/(2):\n1 expire at Sat Nov 22 09:00:00 UTC 2025:\n\t0x100000726cb0000\n1 expire at Sat Nov 22 09:00:04 UTC 2025:\n\t0x100000726cb0001\n' +
    'ephemeral nodes dump:\nSessions with Ephemerals (1):\n0x100000726cb0001:\n\t/e1\nConnections dump:\n';

  it('reads connected sessions from cons and known sessions from dump', () => {
    expect([...parseCons(cons)]).toEqual(['100000726cb0000']);
    expect([...parseDumpSessions(dump)].sort()).toEqual(['100000726cb0000', '100000726cb0001']);
  });

  it('classifies owners', () => {
    const sessions = { connected: parseCons(cons), known: parseDumpSessions(dump) };
    expect(classifyOwner(0x100000726cb0000n, sessions)).toBe('live');
    expect(classifyOwner(0x100000726cb0001n, sessions)).toBe('disconnected');
    expect(classifyOwner(0x42n, sessions)).toBe('unknown-session');
    expect(classifyOwner(0x42n, { connected: new Set(), known: undefined })).toBe('disconnected');
    expect(classifyOwner(-1n, { connected: new Set(['ffffffffffffffff']), known: undefined })).toBe('live');
  });
});
