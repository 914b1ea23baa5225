/**
 * What the test helpers hand back for a running ZooKeeper-protocol server (Paddock or Apache
 * ZooKeeper), plus the zoo.cfg rendering and temp-dir handling both launchers share.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getFreePort, LOOPBACK } from './ports.js';
import { fourLetterWord, type ManagedProcess } from './processes.js';

export type ServerKind = 'paddock' | 'zookeeper';

export interface ServerHandle {
  readonly kind: ServerKind;
  readonly host: string;
  readonly port: number;
  /** host:port, ready for any client's connect string. */
  readonly connectString: string;
  readonly dataDir: string;
  readonly configFile: string;
  readonly tickTime: number;
  /** The server process (its log file and captured output are useful in failure messages). */
  readonly process: ManagedProcess;
  /** Graceful stop (SIGTERM, SIGKILL after a grace period). Removes an auto-created dataDir unless keepDataDir. */
  stop(): Promise<void>;
  /** SIGKILL, keeping the dataDir (restart on it with `{ dataDir, port }`). */
  kill9(): Promise<void>;
  /** Four-letter word against this server (ruok, srvr, mntr, cons, wchs, dump...). */
  fourLetterWord(word: string): Promise<string>;
}

export type ZooCfgValue = string | number | boolean;

export interface ServerOptions {
  /** Default 2000 like a stock zoo.cfg. Session timeouts are clamped to [2, 20] x tickTime. */
  tickTime?: number;
  /** Reuse a data directory (e.g. to restart after kill9). Default: a fresh temp dir. */
  dataDir?: string;
  /** Fixed client port (e.g. to restart on the same port). Default: a free loopback port. */
  port?: number;
  /** Extra zoo.cfg lines, e.g. { minSessionTimeout: 1000, maxSessionTimeout: 4000 }. They override the defaults. */
  extraConfig?: Record<string, ZooCfgValue>;
  /** Keep an auto-created dataDir on stop(). */
  keepDataDir?: boolean;
  /** How long to wait for ruok -> imok. */
  startTimeoutMs?: number;
}

export function renderZooCfg(entries: Record<string, ZooCfgValue>): string {
  return `${Object.entries(entries)
    .map(([key, value]) => `${key}=${typeof value === 'boolean' ? String(value) : value}`)
    .join('\n')}\n`;
}

/** The settings both launchers use unless overridden. */
export function baseZooCfg(options: { tickTime: number; dataDir: string; port: number; host: string }): Record<string, ZooCfgValue> {
  return {
    tickTime: options.tickTime,
    initLimit: 10,
    syncLimit: 5,
    dataDir: options.dataDir,
    clientPort: options.port,
    clientPortAddress: options.host,
    maxClientCnxns: 0,
    '4lw.commands.whitelist': '*',
    'admin.enableServer': false,
    'autopurge.purgeInterval': 0,
  };
}

export interface PreparedDirs {
  /** Root of everything this server owns on disk (config, data unless given, logs). */
  baseDir: string;
  dataDir: string;
  logDir: string;
  configFile: string;
  /** Removes baseDir (config, logs, and the data dir when it was auto-created inside it). */
  cleanup(): void;
}

export function prepareServerDirs(prefix: string, dataDir: string | undefined): PreparedDirs {
  const baseDir = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  const resolvedData = dataDir ?? path.join(baseDir, 'data');
  mkdirSync(resolvedData, { recursive: true });
  const logDir = path.join(baseDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  return {
    baseDir,
    dataDir: path.resolve(resolvedData),
    logDir,
    configFile: path.join(baseDir, 'zoo.cfg'),
    cleanup() {
      // a caller-provided dataDir lives elsewhere and is left alone
      rmSync(baseDir, { recursive: true, force: true });
    },
  };
}

export function writeConfig(file: string, entries: Record<string, ZooCfgValue>): void {
  writeFileSync(file, renderZooCfg(entries));
}

/**
 * Starts a server on a free port, retrying with another port when the process dies before it is
 * ready (most likely: somebody else took the port between the probe and the bind).
 */
export async function launchOnFreePort<T>(
  fixedPort: number | undefined,
  attempt: (port: number) => Promise<T>,
  attempts = 3,
): Promise<T> {
  let lastError: unknown;
  for (let i = 0; i < (fixedPort === undefined ? attempts : 1); i++) {
    const port = fixedPort ?? (await getFreePort(LOOPBACK));
    try {
      return await attempt(port);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

export function handleFourLetterWord(host: string, port: number): (word: string) => Promise<string> {
  return (word) => fourLetterWord(host, port, word);
}
