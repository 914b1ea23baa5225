/**
 * The two servers every SDK suite runs against (a started Paddock and a started Apache ZooKeeper 3.8), and
 * small helpers to open clients that are always closed after each test.
 */
import { afterEach } from '@jest/globals';
import { ZooKeeperClient, type ZooKeeperClientOptions } from '@paddock/client';
import { apacheZooKeeperInstalled, startApacheZooKeeper } from '../support/apache-zookeeper.js';
import { startPaddock, type ServerHandle, type ServerKind, type ServerOptions } from '../support/paddock.js';

export type Starter = (options?: ServerOptions) => Promise<ServerHandle>;

export const TARGETS: Array<[ServerKind, Starter]> = [
  ['paddock', startPaddock],
  ...(apacheZooKeeperInstalled() || process.env.SDK_REQUIRE_ZOOKEEPER
    ? ([['zookeeper', startApacheZooKeeper]] as Array<[ServerKind, Starter]>)
    : []),
];

/**
 * Small ticks so session timeouts can be short (sessions are clamped to [1000, 10000] ms); TTL nodes on
 * (the Apache launcher always passes -Dzookeeper.extendedTypesEnabled=true).
 */
export const SERVER_OPTIONS: ServerOptions = { tickTime: 500, extraConfig: { extendedTypesEnabled: true } };

/** Tracks clients opened by a test and closes them afterwards (registered once per file). */
export function clientTracker(): {
  open(connectString: string, options?: ZooKeeperClientOptions): Promise<ZooKeeperClient>;
  track<T extends ZooKeeperClient>(client: T): T;
} {
  const clients = new Set<ZooKeeperClient>();
  afterEach(async () => {
    await Promise.all([...clients].map((c) => c.close().catch(() => undefined)));
    clients.clear();
  });
  return {
    async open(connectString, options = {}) {
      const client = new ZooKeeperClient(connectString, { sessionTimeout: 10_000, reconnectJitterMs: 50, reconnectDelayMs: 200, ...options });
      clients.add(client);
      await client.waitForConnected(15_000);
      return client;
    },
    track(client) {
      clients.add(client);
      return client;
    },
  };
}

let counter = 0;
/** A fresh top-level path per test. */
export function freshPath(label: string): string {
  counter++;
  return `/sdk-${label}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}
