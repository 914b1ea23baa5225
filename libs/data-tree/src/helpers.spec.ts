/** Small builders shared by the specs (not exported from the package index). */
import { describe, it, expect } from '@jest/globals';
import type { ACL } from '@paddock/protocol';
import type { DataTree, ApplyResult } from './data-tree.js';
import type { Txn, TxnHeader } from './txn.js';

export const OPEN: ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
export const EPOCH = 0x100000000; // zxids of epoch 1

export function hdr(zxid: number, type: number, sessionId = 0x1n, time = 1_700_000_000_000 + zxid % 1_000_000): TxnHeader {
  return { sessionId, cxid: zxid % 1000, zxid, time, type };
}

export function createTxn(path: string, parentCVersion: number, data: string | null = 'd', opts: { ephemeral?: boolean; type?: 1 | 15; acl?: ACL[] } = {}): Txn {
  return {
    type: opts.type ?? 1,
    path,
    data: data === null ? null : Buffer.from(data),
    acl: opts.acl ?? OPEN,
    ephemeral: opts.ephemeral ?? false,
    parentCVersion,
  };
}

/** Applies txns with consecutive zxids starting at `firstZxid`; returns the results. */
export function applyAll(tree: DataTree, firstZxid: number, txns: Txn[], sessionId = 0x1n): ApplyResult[] {
  return txns.map((t, i) => tree.apply(hdr(firstZxid + i, t.type, sessionId), t));
}

describe('spec helpers', () => {
  it('build headers with consecutive zxids', () => {
    expect(hdr(EPOCH + 1, 1).zxid).toBe(EPOCH + 1);
  });
});
