/**
 * LeaderLatch (Curator): every participant holds an ephemeral-sequential node (protected GUID prefix, data = its
 * id) under the latch path; the lowest one is the leader; everyone else watches only its predecessor.
 *
 * Leadership is given up before anything else on a suspended connection or a lost session (so there are never
 * two leaders that both believe it while ZooKeeper can tell), and the node is re-created after a reconnect.
 */
import { EventEmitter } from 'node:events';
import { NoNodeError, ZooKeeperError } from '@paddock/client';
import { toFramework, type ClientLike, type ConnectionState, type Framework } from './framework.js';
import { sortBySequence } from './lock-rules.js';
import { createProtected, guaranteedDelete, joinPath, nodeName, sequenceOf, sleep } from './utils.js';

export interface Participant {
  id: string;
  isLeader: boolean;
}

export type LeaderLatchEvents = {
  isLeader: [];
  notLeader: [];
  error: [error: unknown];
};

export interface LeaderLatchOptions {
  /** 'silent' (Curator's default): close() does not emit notLeader; 'notifyLeader': it does. */
  closeMode?: 'silent' | 'notifyLeader';
}

export class LeaderLatch extends EventEmitter<LeaderLatchEvents> {
  readonly framework: Framework;
  private state: 'latent' | 'started' | 'closed' = 'latent';
  private leader = false;
  private ourPath: string | undefined;
  private generation = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly onConnection = (s: ConnectionState) => this.connectionChanged(s);

  constructor(
    client: ClientLike,
    readonly latchPath: string,
    readonly id = '',
    private readonly options: LeaderLatchOptions = {},
  ) {
    super();
    this.framework = toFramework(client);
  }

  async start(): Promise<void> {
    if (this.state !== 'latent') throw new Error('LeaderLatch can only be started once');
    this.state = 'started';
    this.framework.on('connectionState', this.onConnection);
    await this.serial(() => this.reset());
  }

  /** Leaves the election (deletes the node). */
  async close(): Promise<void> {
    if (this.state !== 'started') return;
    this.state = 'closed';
    this.generation++;
    this.framework.off('connectionState', this.onConnection);
    this.setLeadership(false, this.options.closeMode !== 'notifyLeader');
    await this.chain.catch(() => undefined);
    const path = this.ourPath;
    this.ourPath = undefined;
    if (path) await guaranteedDelete(this.framework, path).catch(() => undefined);
  }

  hasLeadership(): boolean {
    return this.state === 'started' && this.leader;
  }

  getState(): 'latent' | 'started' | 'closed' {
    return this.state;
  }

  getOurPath(): string | undefined {
    return this.ourPath;
  }

  /** Resolves true once this latch leads, false on timeout or when the latch is closed. */
  await(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<boolean> {
    if (this.hasLeadership()) return Promise.resolve(true);
    if (this.state === 'closed') return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.off('isLeader', onLeader);
        options.signal?.removeEventListener('abort', onAbort);
        clearInterval(poll);
        resolve(value);
      };
      const onLeader = () => done(true);
      const onAbort = () => done(false);
      const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => done(false), options.timeoutMs);
      const poll = setInterval(() => this.state === 'closed' && done(false), 200);
      this.on('isLeader', onLeader);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Every participant in election order; the first is the leader. */
  async getParticipants(): Promise<Participant[]> {
    return participantsOf(this.framework, this.latchPath);
  }

  async getLeader(): Promise<Participant | undefined> {
    return (await this.getParticipants())[0];
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch((error) => this.backgroundError(error));
    return run;
  }

  private backgroundError(error: unknown): void {
    if (this.state !== 'started') return;
    if (this.listenerCount('error') > 0) this.emit('error', error);
    // try again after a pause unless the session is gone for good
    if (error instanceof ZooKeeperError && error.code === -112 && !this.framework.renewsSessions) return;
    const gen = this.generation;
    void sleep(500).then(() => {
      if (this.state === 'started' && gen === this.generation && this.framework.isConnected) void this.serial(() => this.reset());
    });
  }

  private connectionChanged(state: ConnectionState): void {
    if (this.state !== 'started') return;
    if (state === 'suspended' || state === 'lost') {
      this.generation++;
      this.setLeadership(false);
    } else if (state === 'reconnected') {
      void this.serial(() => this.reset());
    }
  }

  private setLeadership(value: boolean, silent = false): void {
    if (this.leader === value) return;
    this.leader = value;
    if (!silent) this.emit(value ? 'isLeader' : 'notLeader');
  }

  private async reset(): Promise<void> {
    if (this.state !== 'started') return;
    const gen = ++this.generation;
    this.setLeadership(false);
    const old = this.ourPath;
    this.ourPath = undefined;
    if (old) await guaranteedDelete(this.framework, old);
    const path = await createProtected(this.framework, this.latchPath, 'latch-', this.id, 'ephemeralSequential');
    if (this.state !== 'started' || gen !== this.generation) {
      await guaranteedDelete(this.framework, path);
      return;
    }
    this.ourPath = path;
    await this.checkLeadership(gen);
  }

  private async checkLeadership(gen: number): Promise<void> {
    for (;;) {
      if (this.state !== 'started' || gen !== this.generation || !this.ourPath) return;
      const ours = nodeName(this.ourPath);
      const children = await this.framework.run((c) => c.getChildren(this.latchPath));
      if (gen !== this.generation) return;
      const sorted = sortBySequence(children.filter((n) => sequenceOf(n) >= 0));
      const index = sorted.indexOf(ours);
      if (index < 0) {
        // our node vanished (deleted by someone, or the session changed): start over
        void this.serial(() => this.reset());
        return;
      }
      if (index === 0) {
        if (this.framework.isConnected) this.setLeadership(true);
        return;
      }
      const predecessor = joinPath(this.latchPath, sorted[index - 1]!);
      const watcher = () => {
        if (this.state === 'started' && gen === this.generation) void this.serial(() => this.checkLeadership(gen));
      };
      try {
        await this.framework.run((c) => c.getData(predecessor, { watch: watcher }));
        return; // the watch continues
      } catch (error) {
        if (!(error instanceof NoNodeError)) throw error;
        // predecessor left meanwhile: look again
      }
    }
  }
}

export async function participantsOf(framework: Framework, path: string): Promise<Participant[]> {
  let children: string[];
  try {
    children = await framework.run((c) => c.getChildren(path));
  } catch (error) {
    if (error instanceof NoNodeError) return [];
    throw error;
  }
  const sorted = sortBySequence(children.filter((n) => sequenceOf(n) >= 0));
  const result: Participant[] = [];
  for (const name of sorted) {
    try {
      const { data } = await framework.run((c) => c.getData(joinPath(path, name)));
      result.push({ id: data?.toString('utf8') ?? '', isLeader: result.length === 0 });
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
    }
  }
  return result;
}
