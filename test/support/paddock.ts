/**
 * The built Paddock server (`node apps/cli/bin/paddock.js server --config <zoo.cfg>`) on a free
 * loopback port, and `startTarget()`, which picks Paddock or Apache ZooKeeper from
 * INTEROP_TARGET=paddock|zookeeper (default paddock) so one suite validates against both.
 *
 * Paddock reads the same zoo.cfg keys as ZooKeeper. Build it first (`npm run build`).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApacheZooKeeper } from './apache-zookeeper.js';
import { LOOPBACK } from './ports.js';
import { spawnManaged, waitForRuok, waitForServing } from './processes.js';
import {
  baseZooCfg,
  handleFourLetterWord,
  launchOnFreePort,
  prepareServerDirs,
  writeConfig,
  type ServerHandle,
  type ServerKind,
  type ServerOptions,
} from './server-handle.js';

export type { ServerHandle, ServerKind, ServerOptions } from './server-handle.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PADDOCK_BIN = process.env.PADDOCK_BIN ?? path.join(REPO_ROOT, 'apps', 'cli', 'bin', 'paddock.js');

export async function startPaddock(options: ServerOptions = {}): Promise<ServerHandle> {
  if (!existsSync(PADDOCK_BIN)) throw new Error(`${PADDOCK_BIN} not found: run npm run build`);
  const tickTime = options.tickTime ?? 2000;
  const host = LOOPBACK;

  return launchOnFreePort(options.port, async (port) => {
    const dirs = prepareServerDirs('paddock-test', options.dataDir);
    writeConfig(dirs.configFile, {
      ...baseZooCfg({ tickTime, dataDir: dirs.dataDir, port, host }),
      ...options.extraConfig,
    });
    const server = spawnManaged({
      name: `paddock-${port}`,
      command: process.execPath,
      args: [PADDOCK_BIN, 'server', '--config', dirs.configFile],
      cwd: REPO_ROOT,
      env: { NODE_OPTIONS: undefined },
    });
    const cleanup = () => {
      if (!options.keepDataDir) dirs.cleanup();
    };
    try {
      await waitForRuok(host, port, { timeoutMs: options.startTimeoutMs ?? 20_000, process: server });
      await waitForServing(host, port, { timeoutMs: options.startTimeoutMs ?? 20_000, process: server });
    } catch (error) {
      await server.kill();
      cleanup();
      throw error;
    }
    const handle: ServerHandle = {
      kind: 'paddock',
      host,
      port,
      connectString: `${host}:${port}`,
      dataDir: dirs.dataDir,
      configFile: dirs.configFile,
      tickTime,
      process: server,
      async stop() {
        await server.stop({ signal: 'SIGTERM', timeoutMs: 5_000 });
        cleanup();
      },
      async kill9() {
        await server.kill();
      },
      fourLetterWord: handleFourLetterWord(host, port),
    };
    return handle;
  });
}

export function targetKind(): ServerKind {
  const raw = (process.env.INTEROP_TARGET ?? 'paddock').trim().toLowerCase();
  if (raw === 'paddock') return 'paddock';
  if (raw === 'zookeeper' || raw === 'zk' || raw === 'apache') return 'zookeeper';
  throw new Error(`INTEROP_TARGET must be paddock or zookeeper, got ${JSON.stringify(process.env.INTEROP_TARGET)}`);
}

/** Starts the server the interop suites run against: INTEROP_TARGET=paddock (default) | zookeeper. */
export function startTarget(options: ServerOptions = {}): Promise<ServerHandle> {
  return targetKind() === 'zookeeper' ? startApacheZooKeeper(options) : startPaddock(options);
}
