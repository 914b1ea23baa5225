/**
 * Nothing acknowledged is ever lost: a real server process is killed with SIGKILL in the middle of a
 * pipelined write load, restarted on the same data directory, and every write that got a successful
 * reply must be there (creates with their exact data, setData at least at the acknowledged version).
 * A small snapCount makes the load cross snapshots and log segments, so recovery exercises
 * snapshot + replay, not just a single log.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode, OpCode } from '@paddock/protocol';
import { startPaddock, type ServerHandle } from '../support/paddock.js';
import { RawClient } from '../support/raw-client.js';

const OPEN = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const ROUNDS = 3;
const OUTSTANDING = 64;
const LOAD_MS = 1500;

interface Acked {
  creates: Map<string, string>;
  counterVersion: number;
}

async function writeLoadUntilKilled(server: ServerHandle, round: number, acked: Acked): Promise<number> {
  const client = await RawClient.connect({ port: server.port });
  let sent = 0;
  let stop = false;
  const worker = async (lane: number) => {
    for (let i = 0; !stop; i++) {
      const p = `/crash/r${round}-l${lane}-${i}`;
      const data = `round ${round} lane ${lane} #${i}`;
      sent++;
      const isSet = i % 4 === 3;
      const reply = isSet
        ? await client.request({ type: OpCode.setData, request: { path: '/crash/counter', data: Buffer.from(p), version: -1 } }).catch(() => undefined)
        : await client
            .request({ type: OpCode.create, request: { path: p, data: Buffer.from(data), acl: OPEN, flags: 0 } })
            .catch(() => undefined);
      if (!reply) return; // connection gone: the server was killed
      expect(reply.err).toBe(ErrorCode.OK);
      if (isSet && reply.body?.type === OpCode.setData) acked.counterVersion = Math.max(acked.counterVersion, reply.body.stat.version);
      else acked.creates.set(p, data);
    }
  };
  const lanes = Array.from({ length: OUTSTANDING }, (_, lane) => worker(lane));
  await new Promise((resolve) => setTimeout(resolve, LOAD_MS));
  await server.kill9(); // SIGKILL with requests in flight
  stop = true;
  await Promise.all(lanes);
  client.destroy();
  return sent;
}

describe('crash recovery (kill -9 under write load)', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'paddock-crash-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(`keeps every acknowledged write across ${ROUNDS} SIGKILLs`, async () => {
    const acked: Acked = { creates: new Map(), counterVersion: -1 };
    const extraConfig = { snapCount: 300, preAllocSize: 1024 };
    let port: number | undefined;

    for (let round = 0; round < ROUNDS; round++) {
      const server = await startPaddock({ dataDir, port, keepDataDir: true, extraConfig });
      port = server.port;
      if (round === 0) {
        const setup = await RawClient.connect({ port: server.port });
        for (const p of ['/crash', '/crash/counter']) {
          const r = await setup.request({ type: OpCode.create, request: { path: p, data: null, acl: OPEN, flags: 0 } });
          expect(r?.err).toBe(ErrorCode.OK);
        }
        await setup.close();
      }
      const sent = await writeLoadUntilKilled(server, round, acked);
      expect(sent).toBeGreaterThan(100);
    }

    const server = await startPaddock({ dataDir, port, keepDataDir: true, extraConfig });
    try {
      const client = await RawClient.connect({ port: server.port });
      const missing: string[] = [];
      const pending = [...acked.creates.entries()].map(async ([p, data]) => {
        const reply = await client.request({ type: OpCode.getData, request: { path: p, watch: false } });
        if (reply?.err !== ErrorCode.OK || reply.body?.type !== OpCode.getData || reply.body.data?.toString() !== data) missing.push(p);
      });
      await Promise.all(pending);
      expect(missing).toEqual([]);
      const counter = await client.request({ type: OpCode.exists, request: { path: '/crash/counter', watch: false } });
      expect(counter?.body?.type).toBe(OpCode.exists);
      if (counter?.body?.type === OpCode.exists) expect(counter.body.stat.version).toBeGreaterThanOrEqual(acked.counterVersion);
      expect(acked.creates.size).toBeGreaterThan(300);
      await client.close();
    } finally {
      await server.stop();
    }
  }, 120_000);
});
