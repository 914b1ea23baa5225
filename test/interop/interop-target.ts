/**
 * The server every interop suite runs against: Paddock by default, Apache ZooKeeper 3.8 with
 * INTEROP_TARGET=zookeeper (how the suites are validated while Paddock is being written).
 *
 * A short tick keeps session-expiry tests fast: sessions may be 1-10 s (2 and 20 ticks).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { startPaddockEnsemble, startTarget, targetKind, type EnsembleHandle, type ServerHandle } from '../support/paddock.js';
import { spawnManaged, type ManagedProcess } from '../support/processes.js';

// Per-test default for every interop file: longer than any bounded wait inside a test (5 s for a
// watch event, ~7 s for a session expiry), so a test fails with its own message, not Jest's.
jest.setTimeout(30_000);

export const INTEROP_TICK_MS = 500;
export const MIN_SESSION_TIMEOUT_MS = 2 * INTEROP_TICK_MS;
export const MAX_SESSION_TIMEOUT_MS = 20 * INTEROP_TICK_MS;

export const INTEROP_DIR = path.dirname(fileURLToPath(import.meta.url));

export { targetKind };

export function startInteropTarget(): Promise<ServerHandle> {
  return startTarget({
    tickTime: INTEROP_TICK_MS,
    extraConfig: { minSessionTimeout: MIN_SESSION_TIMEOUT_MS, maxSessionTimeout: MAX_SESSION_TIMEOUT_MS },
  });
}

/** A 3-member Paddock ensemble seen as one server: its connect string lists every member. */
export interface InteropEnsemble extends ServerHandle {
  readonly ensemble: EnsembleHandle;
}

/**
 * A 3-member Paddock ensemble with the interop tick and session bounds (ensemble.test.ts runs the
 * kazoo and zkCli suites against it). `process` and `fourLetterWord` are the current leader's.
 */
export async function startInteropEnsemble(): Promise<InteropEnsemble> {
  const ensemble = await startPaddockEnsemble({
    participants: 3,
    tickTime: INTEROP_TICK_MS,
    extraConfig: { minSessionTimeout: MIN_SESSION_TIMEOUT_MS, maxSessionTimeout: MAX_SESSION_TIMEOUT_MS },
  });
  const first = ensemble.members[0]!;
  let leader = await ensemble.waitForLeader();
  return {
    kind: 'paddock',
    host: first.host,
    port: first.port,
    connectString: ensemble.connectString,
    dataDir: first.dataDir,
    configFile: first.configFile,
    tickTime: INTEROP_TICK_MS,
    get process() {
      if (!leader.running) leader = ensemble.members.find((m) => m.running) ?? leader;
      return leader.process ?? first.process!;
    },
    stop: () => ensemble.stop(),
    async kill9() {
      for (const m of ensemble.members) await m.kill9();
    },
    fourLetterWord: (word) => leader.fourLetterWord(word),
    ensemble,
  };
}

/**
 * Upper bound for "an ephemeral of a dead client is gone": the session timeout, plus the
 * expiry bucket rounding (a tick), plus slack for a loaded CI machine.
 */
export function expiryDeadlineMs(sessionTimeoutMs: number): number {
  return sessionTimeoutMs + 4 * INTEROP_TICK_MS + 3_000;
}

export interface EphemeralHolder {
  sessionId: bigint;
  path: string;
  process: ManagedProcess;
}

/**
 * Starts a separate node process that connects with the given npm client, creates an ephemeral
 * `nodePath` and keeps its session alive until it is SIGKILLed (see node-clients/hold-ephemeral.cjs).
 */
export async function holdEphemeral(
  kind: 'nzc' | 'c',
  connectString: string,
  nodePath: string,
  sessionTimeoutMs: number,
): Promise<EphemeralHolder> {
  const child = spawnManaged({
    name: `hold-ephemeral-${kind}`,
    command: process.execPath,
    args: [path.join(INTEROP_DIR, 'node-clients', 'hold-ephemeral.cjs'), kind, connectString, nodePath, String(sessionTimeoutMs)],
    env: { NODE_OPTIONS: undefined },
  });
  const match = await child.waitForOutput(/^(\{.*\})$/m, { timeoutMs: 20_000 });
  const ready = JSON.parse(match[1] as string) as { sessionId: string; path: string };
  return { sessionId: BigInt(ready.sessionId), path: ready.path, process: child };
}
