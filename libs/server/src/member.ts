import { mkdir } from 'node:fs/promises';
import { DataTree, PendingChanges, deserializeSnapshot, readTxn, serializeSnapshot } from '@paddock/data-tree';
import type { Txn, TxnHeader } from '@paddock/data-tree';
import { JuteReader, OpCode } from '@paddock/protocol';
import type { ServerConfig } from './config/index.js';
import { ClientListener } from './net/client-listener.js';
import type { ClientConnection } from './net/client-connection.js';
import { ACCEPTED_EPOCH_FILE, CURRENT_EPOCH_FILE, purge, readEpochFile, recover, payloadZxid, versionDir, writeEpochFile, writeFileAtomic } from './persistence/index.js';
import type { SnapshotStore, TxnLog } from './persistence/index.js';
import { QuorumPeer } from './quorum/quorum-peer.js';
import { epochOf, type Entry } from '@paddock/zab';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StandaloneBroadcast } from './standalone-broadcast.js';
import { ZkServer } from './zk-server.js';
import { ServerFourLetterView } from './four-letter-view.js';
import { runFourLetterWord } from './four-letter/index.js';

export interface RunningServer {
  readonly port: number;
  readonly server: ZkServer;
  close(): Promise<void>;
}

export type Logger = (level: 'info' | 'warn', message: string) => void;

const defaultLogger: Logger = (level, message) => {
  const line = `${new Date().toISOString()} [${level}] ${message}`;
  if (level === 'warn') console.warn(line);
  else console.log(line);
};

/**
 * Starts a standalone member (an ensemble of one): recover from dataDir/dataLogDir, then serve the
 * client port. Durable before acknowledged: a reply leaves only after its txn is fsynced.
 */
export async function startServer(config: ServerConfig, log: Logger = defaultLogger): Promise<RunningServer> {
  await mkdir(config.dataDir, { recursive: true });
  await mkdir(config.dataLogDir, { recursive: true });

  const started = Date.now();
  const distributed = config.distributed;
  const recovered = await recover(config.dataDir, config.dataLogDir, {
    txnLog: {
      // a quorum member flushes once per Ready itself (one fsync per Ready, before its acks leave)
      ...(distributed ? { autoFlush: false } : {}),
      // standalone: batches are written on the event loop (see TxnLogOptions.blockingWrites)
      blockingWrites: !distributed,
      preAllocSize: config.preAllocSizeKb * 1024,
      forceSync: config.forceSync,
      fsyncWarningThresholdMs: config.fsyncWarningThresholdMs,
      onError: (err) => {
        log('warn', `txn log failed, shutting down: ${err.message}`);
        process.exitCode = 3;
        void running.close().finally(() => process.exit(3));
      },
    },
    logger: { info: (m) => log('info', m), warn: (m) => log('warn', m), error: (m) => log('warn', m) },
  });
  for (const repair of recovered.repairs) log('warn', `recovery: ${repair}`);

  let tree: DataTree;
  let sessions: Map<bigint, number>;
  if (recovered.snapshot) {
    ({ tree, sessions } = deserializeSnapshot(recovered.snapshot.body));
    tree.lastProcessedZxid = recovered.snapshot.zxid;
  } else {
    tree = new DataTree();
    sessions = new Map();
  }
  // A quorum member's log may end with txns that were never committed: they go to the ZAB core, which
  // hands them back for applying once it knows they are committed (or truncates them).
  const logged: Entry[] = [];
  for (const payload of recovered.txns) {
    if (distributed) {
      logged.push({ zxid: payloadZxid(payload), data: payload });
      continue;
    }
    const { header, txn } = readTxn(new JuteReader(payload));
    tree.apply(header, txn);
    trackSession(sessions, header, txn);
  }
  log(
    'info',
    `recovered ${tree.nodeCount} znodes and ${sessions.size} sessions up to zxid 0x${recovered.lastZxid.toString(16)} ` +
      `(${recovered.snapshot ? `snapshot 0x${recovered.snapshot.zxid.toString(16)} + ` : ''}${recovered.txns.length} txns) in ${Date.now() - started} ms`,
  );
  recovered.txns.length = 0;

  const server = new ZkServer(tree, new PendingChanges(tree), {
    serverId: config.serverId ?? 0,
    tickTime: config.tickTime,
    minSessionTimeout: config.minSessionTimeout,
    maxSessionTimeout: config.maxSessionTimeout,
    maxFrameLength: config.juteMaxBuffer,
    extendedTypesEnabled: config.extendedTypesEnabled,
    skipACL: config.skipACL,
    superDigest: config.superDigest,
    globalOutstandingLimit: config.globalOutstandingLimit,
    log,
  });
  const now = Date.now();
  for (const [id, timeout] of sessions) server.sessions.add(id, timeout, now);

  const snapshotter = new Snapshotter(recovered.log, recovered.snapshots, server, config.snapCount, log);
  let peer: QuorumPeer | null = null;
  if (distributed) {
    const snapshotZxid = recovered.snapshot?.zxid ?? 0;
    const epochDir = versionDir(config.dataDir);
    await mkdir(epochDir, { recursive: true });
    const lastEpoch = epochOf(recovered.lastZxid);
    let currentEpoch = await readEpochFile(epochDir, CURRENT_EPOCH_FILE);
    if (currentEpoch === undefined) {
      // ZooKeeper derives a missing currentEpoch from the last logged zxid and writes it
      currentEpoch = lastEpoch;
      await writeEpochFile(epochDir, CURRENT_EPOCH_FILE, currentEpoch);
    }
    let acceptedEpoch = await readEpochFile(epochDir, ACCEPTED_EPOCH_FILE);
    if (acceptedEpoch === undefined) {
      acceptedEpoch = Math.max(currentEpoch, lastEpoch);
      await writeEpochFile(epochDir, ACCEPTED_EPOCH_FILE, acceptedEpoch);
    }
    const incarnation = await nextIncarnation(config.dataDir);
    let txnsSinceSnapshot = 0;
    peer = new QuorumPeer({
      config,
      server,
      log: recovered.log,
      snapshots: recovered.snapshots,
      state: { acceptedEpoch, currentEpoch, snapshotZxid, entries: logged.filter((e) => e.zxid > snapshotZxid) },
      incarnation,
      logger: log,
      afterApply: (n) => {
        txnsSinceSnapshot += n;
        snapshotter.maybeSnapshot(txnsSinceSnapshot, () => (txnsSinceSnapshot = 0), (zxid) => {
          try {
            peer?.replica.compact(zxid);
          } catch (err) {
            log('warn', `cannot compact the ZAB log at 0x${zxid.toString(16)}: ${(err as Error).message}`);
          }
        });
      },
      onFatal: (err) => {
        log('warn', `quorum member failed, shutting down: ${err.stack ?? err.message}`);
        process.exitCode = 3;
        void running.close().finally(() => process.exit(3));
      },
    });
    logged.length = 0;
  } else {
    const broadcast = new StandaloneBroadcast(
      recovered.log,
      (header, txn) => server.commit(header, txn),
      () => snapshotter.maybeSnapshot(broadcast.txnsSinceSnapshot, () => (broadcast.txnsSinceSnapshot = 0)),
    );
    server.broadcast = broadcast;
  }

  const view = new ServerFourLetterView(server, config, recovered.log, started, peer);
  const whitelist = new Set(config.fourLetterWordWhitelist);
  server.onFourLetterWord = (conn: ClientConnection, word: string) => {
    const result = runFourLetterWord(word, view, whitelist);
    if (result) {
      if (result.reset === 'connections') for (const c of server.connections) c.resetStats();
      if (result.reset === 'server') {
        server.resetStats();
        peer?.resetProposalSizes(); // srst also resets the leader's proposal stats (StatResetCommand)
      }
      conn.out.raw(Buffer.from(result.output, 'utf8'));
    }
    conn.close();
  };

  const listener = new ClientListener(
    { port: config.clientPort, host: config.clientPortAddress ?? undefined, maxClientCnxns: config.maxClientCnxns },
    server,
  );
  const port = await listener.listen();
  if (peer !== null) await peer.start();
  log('info', `listening for ZooKeeper clients on ${config.clientPortAddress ?? '0.0.0.0'}:${port} (${peer !== null ? `quorum member ${config.serverId}` : 'standalone'}, dataDir ${config.dataDir})`);

  // only a standalone server or the active leader expires sessions and reaps containers / TTL nodes
  const owner = () => peer === null || peer.mode === 'leader';
  const timers: NodeJS.Timeout[] = [];
  timers.push(setInterval(() => owner() && server.expireSessions(Date.now()), Math.max(10, Math.floor(config.tickTime / 2))));
  timers.push(setInterval(() => owner() && server.reapContainersAndTtls(Date.now(), config.container.maxNeverUsedIntervalMs, config.container.maxPerMinute), config.container.checkIntervalMs));
  if (config.autopurge.purgeInterval > 0) {
    const runPurge = () =>
      purge(config.dataDir, config.dataLogDir, { snapRetainCount: config.autopurge.snapRetainCount }).catch((err: Error) =>
        log('warn', `autopurge failed: ${err.message}`),
      );
    timers.push(setInterval(runPurge, config.autopurge.purgeInterval * 3600_000));
  }
  for (const t of timers) t.unref();

  let closing: Promise<void> | undefined;
  const running: RunningServer = {
    port,
    server,
    close() {
      closing ??= (async () => {
        server.serving = false;
        for (const t of timers) clearInterval(t);
        await peer?.close().catch(() => {});
        await listener.close().catch(() => {});
        for (const c of [...server.connections]) c.close();
        await snapshotter.idle();
        await recovered.log.close().catch(() => {});
      })();
      return closing;
    },
  };
  return running;
}

/**
 * The ZAB core's incarnation must grow across restarts (connection ids and vote sequence numbers start
 * from it): a boot counter kept in dataDir, rewritten atomically at each start.
 */
async function nextIncarnation(dataDir: string): Promise<number> {
  const name = 'paddock.incarnation';
  let n = 0;
  try {
    n = Number.parseInt((await readFile(join(dataDir, name), 'utf8')).trim(), 10) || 0;
  } catch {
    // first start
  }
  n += 1;
  await writeFileAtomic(dataDir, name, String(n));
  return n;
}

function trackSession(sessions: Map<bigint, number>, header: TxnHeader, txn: Txn): void {
  if (header.type === OpCode.createSession && txn.type === -10) sessions.set(header.sessionId, txn.timeOut);
  else if (header.type === OpCode.closeSession) sessions.delete(header.sessionId);
}

/**
 * Takes a fuzzy snapshot after snapCount/2 + random(snapCount/2) logged txns (the jitter keeps the
 * members of an ensemble from snapshotting at once), rolling the log first; the snapshot is written in
 * chunks between event-loop turns, so clients are never stalled, and is skipped if one is running.
 */
class Snapshotter {
  private inFlight: Promise<void> | undefined;
  private threshold: number;

  constructor(
    private readonly log: TxnLog,
    private readonly store: SnapshotStore,
    private readonly server: ZkServer,
    private readonly snapCount: number,
    private readonly logger: Logger,
  ) {
    this.threshold = this.nextThreshold();
  }

  private nextThreshold(): number {
    const half = Math.max(1, Math.floor(this.snapCount / 2));
    return half + Math.floor(Math.random() * half);
  }

  maybeSnapshot(txnsSinceSnapshot: number, resetCount: () => void, onWritten?: (zxid: number) => void): void {
    if (txnsSinceSnapshot < this.threshold || this.inFlight) return;
    resetCount();
    this.threshold = this.nextThreshold();
    this.log.roll();
    const tree = this.server.tree;
    const zxid = tree.lastProcessedZxid;
    const sessions: Array<[bigint, number]> = [...this.server.sessions.all()].map((s) => [s.id, s.timeout]);
    const started = Date.now();
    this.inFlight = this.store
      .write(zxid, yieldingChunks(serializeSnapshot(tree, sessions)))
      .then(
        () => {
          this.logger('info', `snapshot 0x${zxid.toString(16)} written in ${Date.now() - started} ms`);
          onWritten?.(zxid);
        },
        (err: Error) => this.logger('warn', `snapshot 0x${zxid.toString(16)} failed: ${err.message}`),
      )
      .finally(() => (this.inFlight = undefined));
  }

  idle(): Promise<void> {
    return this.inFlight ?? Promise.resolve();
  }
}

/** Lets the event loop serve clients between snapshot chunks. */
async function* yieldingChunks(chunks: Iterable<Buffer>): AsyncGenerator<Buffer> {
  for (const chunk of chunks) {
    yield chunk;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
