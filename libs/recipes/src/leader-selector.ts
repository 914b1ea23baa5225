/**
 * LeaderSelector (Curator): participants queue on an InterProcessMutex; the holder runs `takeLeadership(signal)`
 * and leads until it returns. The signal is aborted (CancelLeadershipError) when the connection is suspended or
 * the session lost, on interruptLeadership() and on close(); afterwards the lock is released and, with
 * autoRequeue, the participant queues again.
 */
import { EventEmitter } from 'node:events';
import { toFramework, type ClientLike, type ConnectionState, type Framework } from './framework.js';
import { participantsOf, type Participant } from './leader-latch.js';
import { InterProcessMutex } from './mutex.js';
import { sleep } from './utils.js';

export class CancelLeadershipError extends Error {
  constructor(readonly reason: string) {
    super(`leadership cancelled: ${reason}`);
    this.name = 'CancelLeadershipError';
  }
}

export type TakeLeadership = (signal: AbortSignal, selector: LeaderSelector) => Promise<void> | void;

export interface LeaderSelectorOptions {
  /** Stored in the lock node; shown by getParticipants. */
  id?: string;
  /** Queue again after every leadership (Curator autoRequeue). Default false. */
  autoRequeue?: boolean;
}

export type LeaderSelectorEvents = {
  error: [error: unknown];
};

export class LeaderSelector extends EventEmitter<LeaderSelectorEvents> {
  readonly framework: Framework;
  readonly id: string;
  private readonly mutex: InterProcessMutex;
  private state: 'latent' | 'started' | 'closed' = 'latent';
  private autoRequeueFlag: boolean;
  private queued = false;
  private leading = false;
  private leadership: AbortController | undefined;
  private readonly closing = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly onConnection = (s: ConnectionState) => {
    if (s === 'suspended' || s === 'lost') this.leadership?.abort(new CancelLeadershipError(`connection ${s}`));
  };

  constructor(
    client: ClientLike,
    readonly leaderPath: string,
    private readonly listener: TakeLeadership,
    options: LeaderSelectorOptions = {},
  ) {
    super();
    this.framework = toFramework(client);
    this.id = options.id ?? '';
    this.autoRequeueFlag = options.autoRequeue ?? false;
    this.mutex = new InterProcessMutex(this.framework, leaderPath, { data: this.id });
  }

  start(): void {
    if (this.state !== 'latent') throw new Error('LeaderSelector can only be started once');
    this.state = 'started';
    this.framework.on('connectionState', this.onConnection);
    this.requeue();
  }

  autoRequeue(): void {
    this.autoRequeueFlag = true;
  }

  /** Queues for leadership again (no-op if already queued or leading). Returns whether it queued. */
  requeue(): boolean {
    if (this.state !== 'started' || this.queued) return false;
    this.queued = true;
    this.loop = this.run();
    return true;
  }

  hasLeadership(): boolean {
    return this.leading;
  }

  /** Aborts the current takeLeadership (if any). */
  interruptLeadership(): void {
    this.leadership?.abort(new CancelLeadershipError('interrupted'));
  }

  async close(): Promise<void> {
    if (this.state !== 'started') return;
    this.state = 'closed';
    this.framework.off('connectionState', this.onConnection);
    this.leadership?.abort(new CancelLeadershipError('closed'));
    this.closing.abort(new CancelLeadershipError('closed'));
    await this.loop?.catch(() => undefined);
  }

  async getParticipants(): Promise<Participant[]> {
    return participantsOf(this.framework, this.leaderPath);
  }

  async getLeader(): Promise<Participant | undefined> {
    return (await this.getParticipants())[0];
  }

  private async run(): Promise<void> {
    try {
      for (;;) {
        if (this.state !== 'started') return;
        try {
          await this.mutex.acquire({ signal: this.closing.signal });
        } catch (error) {
          if (this.state !== 'started') return;
          if (this.listenerCount('error') > 0) this.emit('error', error);
          if (!this.autoRequeueFlag) return;
          await sleep(500, this.closing.signal);
          await this.framework.waitForConnected(30_000, this.closing.signal).catch(() => undefined);
          continue;
        }
        await this.lead();
        if (!this.autoRequeueFlag || this.state !== 'started') return;
      }
    } finally {
      this.queued = false;
    }
  }

  private async lead(): Promise<void> {
    const controller = new AbortController();
    this.leadership = controller;
    if (!this.framework.isConnected) controller.abort(new CancelLeadershipError('not connected'));
    this.leading = true;
    try {
      if (!controller.signal.aborted) await this.listener(controller.signal, this);
    } catch (error) {
      if (!(error instanceof CancelLeadershipError) && !controller.signal.aborted && this.listenerCount('error') > 0) this.emit('error', error);
    } finally {
      this.leading = false;
      this.leadership = undefined;
      await this.mutex.release().catch(() => undefined);
    }
  }
}
