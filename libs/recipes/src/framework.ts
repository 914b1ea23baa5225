/**
 * The connection-state layer the recipes share (Curator's CuratorFramework + ConnectionStateManager, reduced to
 * what the recipes need on top of @paddock/client):
 *
 * - connection states as Curator names them: `connected` (first session), `suspended` (connection lost, the
 *   session may survive), `reconnected` (connected again: same session, or a new one after `lost`), `lost`
 *   (session expired), `closed`;
 * - when the framework owns the client (`Framework.connect`), a new session is created after expiry (Curator
 *   re-creates its ZooKeeper handle), so recipes resync / re-register on the following `reconnected`;
 *   a wrapped external client (`Framework.wrap`) stays lost after expiry;
 * - `run(fn)`: an operation against the current client under the framework's retry policy.
 */
import { EventEmitter } from 'node:events';
import {
  ZooKeeperClient,
  exponentialBackoff,
  withRetry,
  type ClientState,
  type RetryPolicy,
  type WithRetryOptions,
  type ZooKeeperClientOptions,
} from '@paddock/client';

export type ConnectionState = 'connected' | 'suspended' | 'reconnected' | 'lost' | 'closed';

export type FrameworkEvents = {
  connectionState: [state: ConnectionState];
  /** A new session was established after the previous one expired (owned clients only). */
  newSession: [client: ZooKeeperClient];
};

export interface FrameworkOptions {
  /** Retry policy of `run` (and of the recipes using it). Default: exponential backoff, 100 ms .. 2 s, 10 retries. */
  retryPolicy?: RetryPolicy;
}

export interface ConnectOptions extends ZooKeeperClientOptions, FrameworkOptions {
  connectTimeoutMs?: number;
}

const wrappers = new WeakMap<ZooKeeperClient, Framework>();

export class Framework extends EventEmitter<FrameworkEvents> {
  readonly retryPolicy: RetryPolicy;
  private current: ZooKeeperClient;
  private readonly factory: (() => ZooKeeperClient) | undefined;
  private everConnected = false;
  private lostPending = false;
  private closedFlag = false;
  private detach: (() => void) | undefined;

  private constructor(client: ZooKeeperClient, factory: (() => ZooKeeperClient) | undefined, options: FrameworkOptions) {
    super();
    this.setMaxListeners(0);
    this.retryPolicy = options.retryPolicy ?? exponentialBackoff({ baseDelayMs: 100, maxDelayMs: 2_000, maxRetries: 10 });
    this.current = client;
    this.factory = factory;
    this.attach(client);
  }

  /** Uses an existing client (the same Framework is returned for the same client). It is not re-created after expiry. */
  static wrap(client: ZooKeeperClient, options: FrameworkOptions = {}): Framework {
    let f = wrappers.get(client);
    if (!f) {
      f = new Framework(client, undefined, options);
      wrappers.set(client, f);
    }
    return f;
  }

  /** Creates (and owns) a client; after a session expiry a new session is created with the same options. */
  static async connect(connectString: string, options: ConnectOptions = {}): Promise<Framework> {
    const { retryPolicy, connectTimeoutMs, ...clientOptions } = options;
    delete clientOptions.sessionId;
    delete clientOptions.sessionPassword;
    const factory = () => new ZooKeeperClient(connectString, clientOptions);
    const f = new Framework(factory(), factory, retryPolicy ? { retryPolicy } : {});
    try {
      await f.current.waitForConnected(connectTimeoutMs ?? options.sessionTimeout ?? 30_000);
    } catch (error) {
      await f.close();
      throw error;
    }
    return f;
  }

  /** The client of the current session. */
  get client(): ZooKeeperClient {
    return this.current;
  }

  get isConnected(): boolean {
    return this.current.state === 'connected';
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** Whether a new session follows an expiry. */
  get renewsSessions(): boolean {
    return this.factory !== undefined;
  }

  private attach(client: ZooKeeperClient): void {
    const onState = (state: ClientState) => this.onClientState(client, state);
    client.on('state', onState);
    if (client.state === 'connected') queueMicrotask(() => onState('connected'));
    this.detach = () => client.off('state', onState);
  }

  private onClientState(client: ZooKeeperClient, state: ClientState): void {
    if (client !== this.current || this.closedFlag) return;
    switch (state) {
      case 'connected':
        if (!this.everConnected) {
          this.everConnected = true;
          this.emit('connectionState', 'connected');
        } else {
          const afterLoss = this.lostPending;
          this.lostPending = false;
          if (afterLoss) this.emit('newSession', client);
          this.emit('connectionState', 'reconnected');
        }
        return;
      case 'disconnected':
        this.emit('connectionState', 'suspended');
        return;
      case 'expired':
      case 'auth-failed':
        this.emit('connectionState', 'lost');
        if (this.factory) {
          this.lostPending = true;
          this.detach?.();
          this.current = this.factory();
          this.attach(this.current);
        }
        return;
      case 'closed':
        if (!this.factory) {
          this.closedFlag = true;
          this.emit('connectionState', 'closed');
        }
        return;
      default:
        return;
    }
  }

  /** Waits until the current client is connected (following a session replacement). */
  async waitForConnected(timeoutMs = 30_000, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      signal?.throwIfAborted();
      const client = this.current;
      if (client.state === 'connected') return;
      const left = deadline - Date.now();
      try {
        await client.waitForConnected(Math.max(1, left));
        return;
      } catch (error) {
        if (this.closedFlag || !this.factory || client === this.current || Date.now() >= deadline) throw error;
      }
    }
  }

  /** Runs `fn` against the current client, retrying ConnectionLoss / OperationTimeout / SessionMoved. */
  run<T>(fn: (client: ZooKeeperClient) => Promise<T>, options: WithRetryOptions & { policy?: RetryPolicy } = {}): Promise<T> {
    return withRetry(options.policy ?? this.retryPolicy, () => fn(this.current), options);
  }

  /** Closes the client (owned or wrapped). */
  async close(): Promise<void> {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.detach?.();
    await this.current.close();
    this.emit('connectionState', 'closed');
  }
}

/** A Framework for a client (wrapping it) or the framework itself. */
export function toFramework(target: ZooKeeperClient | Framework): Framework {
  return target instanceof Framework ? target : Framework.wrap(target);
}

export type ClientLike = ZooKeeperClient | Framework;
