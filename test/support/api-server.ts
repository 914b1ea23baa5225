/**
 * The built API (`node apps/api/dist/main.js`) as a managed process: embedded store member, private redis-server
 * and SQLite in a fresh temp dir, every port chosen by the API itself (0). Resolves once it prints its ready line.
 * Stopping it also waits for its private redis-server to go, and removes the data dir.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './paddock.js';
import { FatalProbeError, spawnManaged, waitFor, type ManagedProcess } from './processes.js';

export const API_MAIN = path.join(REPO_ROOT, 'apps', 'api', 'dist', 'main.js');

export interface ApiReady {
  url: string;
  port: number;
  store: string;
  redis: string;
  database: string;
  pid: number;
}

export interface ApiServer {
  ready: ApiReady;
  dir: string;
  proc: ManagedProcess;
  stop(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startApi(options: { env?: Record<string, string | undefined>; timeoutMs?: number } = {}): Promise<ApiServer> {
  if (!existsSync(API_MAIN)) throw new Error(`${API_MAIN} not found: run npm run build`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'paddock-api-'));
  const proc = spawnManaged({
    name: 'paddock-api',
    command: process.execPath,
    // the flags scripts/run.sh and the paddock-api bin start the API with
    args: ['--min-semi-space-size=32', '--max-semi-space-size=32', API_MAIN],
    cwd: REPO_ROOT,
    env: {
      NODE_OPTIONS: undefined,
      PADDOCK_DATA_DIR: dir,
      PADDOCK_STORE_PORT: '0',
      PADDOCK_API_PORT: '0',
      PADDOCK_API_HOST: '127.0.0.1',
      PADDOCK_CONNECT: undefined,
      DATABASE_URL: undefined,
      REDIS_URL: undefined,
      NO_COLOR: '1',
      ...options.env,
    },
  });
  let ready: ApiReady;
  try {
    ready = await waitFor(
      'paddock-api ready',
      () => {
        if (!proc.running) throw new FatalProbeError(`paddock-api exited: ${proc.describe()}`);
        const m = /paddock-api ready (\{.*\})/.exec(proc.stdout());
        return m ? (JSON.parse(m[1]!) as ApiReady) : undefined;
      },
      { timeoutMs: options.timeoutMs ?? 30_000, intervalMs: 100 },
    );
  } catch (e) {
    await proc.kill();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const redisPid = Number(/pid (\d+)/.exec(ready.redis)?.[1] ?? -1);
  return {
    ready,
    dir,
    proc,
    async stop() {
      await proc.stop({ signal: 'SIGTERM', timeoutMs: 10_000 });
      // the private redis-server goes with the API
      if (redisPid > 0) await waitFor('redis-server to exit', () => (alive(redisPid) ? undefined : true), { timeoutMs: 5_000 }).catch(() => process.kill(redisPid, 'SIGKILL'));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
