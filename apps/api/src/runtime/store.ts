/**
 * The coordination store: an embedded Paddock member (default; one process serves the ZooKeeper port and the
 * API) or an external ensemble by connect string (Paddock or Apache ZooKeeper).
 */
import path from 'node:path';
import { ZooKeeperClient } from '@paddock/client';
import { configFromFlags, loadZooConfig, startServer, type RunningServer, type ServerConfig } from '@paddock/server';

export interface Store {
  /** Connect string the API (and the zombie probe) use. */
  connectString: string;
  embedded: RunningServer | undefined;
  client: ZooKeeperClient;
  close(): Promise<void>;
}

export async function openStore(options: {
  connect: string | undefined;
  port: number;
  /** tickTime of the embedded member (ms); ZooKeeper's 3000 when unset. */
  tickMs?: number;
  /** A zoo.cfg for the embedded member: overrides port, dataDir and tickMs. */
  configFile?: string;
  dataDir: string;
  log: (line: string) => void;
  /** `user:password` the session authenticates with (digest scheme). */
  digest?: string;
}): Promise<Store> {
  let embedded: RunningServer | undefined;
  let connectString = options.connect;
  if (!connectString) {
    const config: ServerConfig = options.configFile
      ? await loadZooConfig(options.configFile)
      : configFromFlags({
          dataDir: path.join(options.dataDir, 'store'),
          port: options.port,
          ...(options.tickMs ? { tickTime: options.tickMs } : {}),
          // cons/dump feed the zombie scan; ruok/srvr/mntr for operators
          fourLetterWords: 'ruok,srvr,stat,cons,dump,mntr,envi,conf,wchs,isro',
        });
    embedded = await startServer(config, (level, message) => options.log(`[store ${level}] ${message}`));
    connectString = `127.0.0.1:${embedded.port}`;
    options.log(`embedded store member on port ${embedded.port} (data ${config.dataDir})`);
  }
  let client: ZooKeeperClient;
  try {
    client = await ZooKeeperClient.connect(connectString, {
      sessionTimeout: 15_000,
      connectTimeoutMs: 15_000,
      ...(options.digest ? { authInfo: [{ scheme: 'digest', auth: options.digest }] } : {}),
    });
  } catch (error) {
    await embedded?.close();
    throw error;
  }
  return {
    connectString,
    embedded,
    client,
    async close() {
      await client.close().catch(() => undefined);
      await embedded?.close();
    },
  };
}
