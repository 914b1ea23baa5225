/**
 * The built console (`next start apps/console`, after `npm run build:console`) as a managed process on a free
 * port, proxying /api and /socket.io to the given API URL (PADDOCK_API_URL, read per request).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './paddock.js';
import { getFreePort, LOOPBACK } from './ports.js';
import { FatalProbeError, spawnManaged, waitFor, type ManagedProcess } from './processes.js';

const CONSOLE_DIR = path.join(REPO_ROOT, 'apps', 'console');
const NEXT_BIN = path.join(REPO_ROOT, 'node_modules', 'next', 'dist', 'bin', 'next');

export interface ConsoleServer {
  url: string;
  proc: ManagedProcess;
  stop(): Promise<void>;
}

export async function startConsole(apiUrl: string, { timeoutMs = 30_000 }: { timeoutMs?: number } = {}): Promise<ConsoleServer> {
  if (!existsSync(path.join(CONSOLE_DIR, '.next', 'BUILD_ID'))) throw new Error('apps/console is not built: run npm run build:console');
  const port = await getFreePort();
  const proc = spawnManaged({
    name: 'paddock-console',
    command: process.execPath,
    args: [NEXT_BIN, 'start', CONSOLE_DIR, '--port', String(port), '--hostname', LOOPBACK],
    cwd: REPO_ROOT,
    env: { NODE_OPTIONS: undefined, NEXT_TELEMETRY_DISABLED: '1', PADDOCK_API_URL: apiUrl, NODE_ENV: 'production' },
  });
  const url = `http://${LOOPBACK}:${port}`;
  try {
    await waitFor(
      'the console to serve /login',
      async () => {
        if (!proc.running) throw new FatalProbeError(`next start exited: ${proc.describe()}`);
        const res = await fetch(`${url}/login`, { signal: AbortSignal.timeout(2_000) });
        return res.ok ? true : undefined;
      },
      { timeoutMs, intervalMs: 200 },
    );
  } catch (e) {
    await proc.kill();
    throw e;
  }
  return { url, proc, stop: async () => void (await proc.stop({ signal: 'SIGTERM', timeoutMs: 10_000 })) };
}
