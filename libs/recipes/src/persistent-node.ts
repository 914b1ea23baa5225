/**
 * PersistentEphemeralNode (Curator PersistentNode in ephemeral mode): an ephemeral node that stays present as long
 * as it is started — re-created when it is deleted, and after a reconnect or a new session (a node left by an
 * earlier session of ours is replaced).
 */
import { EventEmitter } from 'node:events';
import { NoNodeError, NodeExistsError, ZooKeeperError, type ZooKeeperClient } from '@paddock/client';
import type { ConnectionState, Framework } from './framework.js';
import { ensurePath, parentOf, sleep, toBuffer } from './utils.js';

export type PersistentNodeEvents = {
  created: [path: string];
  error: [error: unknown];
};

export class PersistentEphemeralNode extends EventEmitter<PersistentNodeEvents> {
  private data: Buffer;
  private started = false;
  private chain: Promise<void> = Promise.resolve();
  private readonly onConnection = (s: ConnectionState) => {
    if (s === 'reconnected') this.schedule();
  };
  private readonly watcher = () => this.schedule();

  constructor(
    readonly framework: Framework,
    readonly path: string,
    data: Buffer | string | null,
  ) {
    super();
    this.data = toBuffer(data);
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.framework.on('connectionState', this.onConnection);
    await this.serial(() => this.ensure());
  }

  async close(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.framework.off('connectionState', this.onConnection);
    await this.chain.catch(() => undefined);
    await this.framework
      .run(async (c) => {
        const stat = await c.exists(this.path);
        if (stat && stat.ephemeralOwner === c.sessionId) await c.delete(this.path);
      })
      .catch((e: unknown) => {
        if (!(e instanceof NoNodeError)) throw e;
      });
  }

  getData(): Buffer {
    return this.data;
  }

  async setData(data: Buffer | string | null): Promise<void> {
    this.data = toBuffer(data);
    if (!this.started) return;
    await this.serial(async () => {
      try {
        await this.framework.run((c) => c.setData(this.path, this.data));
      } catch (error) {
        if (!(error instanceof NoNodeError)) throw error;
        await this.ensure();
      }
    });
  }

  private schedule(): void {
    if (!this.started) return;
    void this.serial(() => this.ensure()).catch((error: unknown) => {
      if (this.listenerCount('error') > 0) this.emit('error', error);
      if (error instanceof ZooKeeperError && (error.code === -4 || error.code === -112)) return; // the reconnect retries
      void sleep(1000).then(() => this.schedule());
    });
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const run = this.chain.then(async () => {
      if (this.started) await fn();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Makes sure the node exists, owned by the current session, with our data; then watches it. */
  private async ensure(): Promise<void> {
    await this.framework.run(async (c) => {
      for (let i = 0; i < 5; i++) {
        if (await this.createOrAdopt(c)) break;
      }
      // re-create when someone deletes it
      const stat = await c.exists(this.path, { watch: this.watcher });
      if (!stat) this.schedule();
    });
  }

  private async createOrAdopt(c: ZooKeeperClient): Promise<boolean> {
    try {
      await c.create(this.path, this.data, { mode: 'ephemeral' });
      this.emit('created', this.path);
      return true;
    } catch (error) {
      if (error instanceof NoNodeError) {
        await ensurePath(c, parentOf(this.path));
        return false;
      }
      if (!(error instanceof NodeExistsError)) throw error;
    }
    let current;
    try {
      current = await c.getData(this.path);
    } catch (error) {
      if (error instanceof NoNodeError) return false;
      throw error;
    }
    const stat = current.stat;
    if (stat.ephemeralOwner === c.sessionId) {
      if (!(current.data ?? Buffer.alloc(0)).equals(this.data)) await c.setData(this.path, this.data);
      return true;
    }
    // left by another (probably our earlier, expiring) session: replace it
    try {
      await c.delete(this.path, stat.version);
    } catch (error) {
      if (!(error instanceof NoNodeError) && !(error instanceof ZooKeeperError && error.code === -103)) throw error;
    }
    return false;
  }
}
