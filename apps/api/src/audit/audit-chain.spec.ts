import { describe, expect, it } from '@jest/globals';
import type { AuditEvent } from '@paddock/platform';
import { GENESIS_HASH, canonicalJson, chainHash, verifyChain, type ChainedEvent } from './audit-chain.js';

function event(n: number, extra: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: `id-${n}`,
    time: new Date(1_700_000_000_000 + n).toISOString(),
    actor: 'alice',
    source: 'api',
    reason: undefined,
    requestId: undefined,
    type: 'switch.set',
    path: `/paddock/switches/prod/items/s${n}`,
    before: null,
    after: { mode: 'force', n },
    ...extra,
  };
}

function chain(events: AuditEvent[]): ChainedEvent[] {
  let prev = GENESIS_HASH;
  return events.map((e, i) => {
    const hash = chainHash(prev, e);
    const row = { seq: i + 1, event: e, prevHash: prev, hash };
    prev = hash;
    return row;
  });
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined, x: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,{"x":null,"z":1}]},"b":1}');
  });
  it('is independent of insertion order', () => {
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain and reports its head', () => {
    const rows = chain([event(1), event(2), event(3)]);
    expect(verifyChain(rows)).toEqual({ ok: true, checked: 3, head: rows[2]!.hash });
    expect(verifyChain([])).toEqual({ ok: true, checked: 0, head: GENESIS_HASH });
  });
  it('detects a changed field', () => {
    const rows = chain([event(1), event(2), event(3)]);
    rows[1]!.event = { ...rows[1]!.event, actor: 'mallory' };
    expect(verifyChain(rows)).toMatchObject({ ok: false, checked: 1, brokenAt: { seq: 2, reason: 'hash-mismatch' } });
  });
  it('detects a deleted row and a recomputed hash without relinking', () => {
    const rows = chain([event(1), event(2), event(3)]);
    expect(verifyChain([rows[0]!, rows[2]!])).toMatchObject({ ok: false, brokenAt: { seq: 3, reason: 'prev-hash-mismatch' } });
    const forged = { ...rows[1]!, event: { ...rows[1]!.event, reason: 'forged' } };
    forged.hash = chainHash(forged.prevHash, forged.event);
    expect(verifyChain([rows[0]!, forged, rows[2]!])).toMatchObject({ ok: false, brokenAt: { seq: 3, reason: 'prev-hash-mismatch' } });
  });
});
