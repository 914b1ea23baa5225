/**
 * A real Apache ZooKeeper 3.8 (Debian package `zookeeper`) on a free loopback port, standalone,
 * with a temp dataDir: the reference the interop and compat suites are validated against.
 *
 * zkServer.sh `start-foreground` execs java, so the spawned pid is the JVM itself.
 */
import { existsSync } from 'node:fs';
import { LOOPBACK } from './ports.js';
import { spawnManaged, waitForRuok, waitForServing } from './processes.js';
import {
  baseZooCfg,
  handleFourLetterWord,
  launchOnFreePort,
  prepareServerDirs,
  writeConfig,
  type ServerHandle,
  type ServerOptions,
} from './server-handle.js';

export const ZK_HOME = process.env.ZOOKEEPER_HOME ?? '/usr/share/zookeeper';
export const ZK_SERVER_SH = `${ZK_HOME}/bin/zkServer.sh`;
export const ZK_CLI_SH = `${ZK_HOME}/bin/zkCli.sh`;

export function apacheZooKeeperInstalled(): boolean {
  return existsSync(ZK_SERVER_SH) && existsSync(ZK_CLI_SH);
}

export async function startApacheZooKeeper(options: ServerOptions = {}): Promise<ServerHandle> {
  if (!apacheZooKeeperInstalled()) {
    throw new Error(`${ZK_SERVER_SH} not found: run scripts/install-system-deps.sh (Debian package zookeeper)`);
  }
  const tickTime = options.tickTime ?? 2000;
  const host = LOOPBACK;

  return launchOnFreePort(options.port, async (port) => {
    const dirs = prepareServerDirs('zookeeper-test', options.dataDir);
    writeConfig(dirs.configFile, {
      ...baseZooCfg({ tickTime, dataDir: dirs.dataDir, port, host }),
      ...options.extraConfig,
    });
    const server = spawnManaged({
      name: `zookeeper-${port}`,
      command: ZK_SERVER_SH,
      args: ['start-foreground', dirs.configFile],
      env: {
        SERVER_JVMFLAGS: [
          `-Dzookeeper.log.dir=${dirs.logDir}`,
          '-Dzookeeper.extendedTypesEnabled=true',
          // small heap: several of these may run side by side on a 2-core CI box
          '-Xmx256m',
          '-XX:+UseSerialGC',
          ...(process.env.ZOOKEEPER_TEST_JVMFLAGS ? [process.env.ZOOKEEPER_TEST_JVMFLAGS] : []),
        ].join(' '),
        // keep JMX off: it opens extra ports and slows the start
        JMXDISABLE: 'true',
      },
    });
    const cleanup = () => {
      if (!options.keepDataDir) dirs.cleanup();
    };
    try {
      await waitForRuok(host, port, { timeoutMs: options.startTimeoutMs ?? 30_000, process: server });
      await waitForServing(host, port, { timeoutMs: options.startTimeoutMs ?? 30_000, process: server });
    } catch (error) {
      await server.kill();
      cleanup();
      throw error;
    }
    const handle: ServerHandle = {
      kind: 'zookeeper',
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
