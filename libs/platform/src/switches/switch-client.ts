/**
 * SwitchClient: holds the switches of one env, follows them by a watch on the env's `revision` node (one
 * notification per change, plans included, then a consistent re-read), applies them to calls, and
 * acknowledges every applied revision with an ephemeral receipt `{clientId, application, revision,
 * switches: {id: version}, appliedAt}` under `receipts/`.
 *
 *   const sw = new SwitchClient(framework, { env: 'prod', application: 'web', clientId: 'web-1' });
 *   await sw.start();
 *   const user = await sw.call('com.foo.UserService', 'get', () => consumer.call('get', [42]));
 */
import { EventEmitter } from 'node:events';
import { PersistentEphemeralNode, toFramework, type ClientLike, type Framework } from '@paddock/recipes';
import { DataWatch } from '../watch.js';
import { applySwitch, findSwitch, type SwitchState } from './evaluate.js';
import { DEFAULT_SWITCH_ROOT, readSwitchSnapshot, switchEnvPath, type SwitchReceipt, type SwitchSnapshot } from './switch-service.js';

export interface SwitchClientOptions {
  env: string;
  /** This client's application (matches `consumerApp` scopes). */
  application: string;
  clientId: string;
  root?: string;
  /** Write receipts. Default true. */
  receipts?: boolean;
  now?: () => number;
}

export type SwitchClientEvents = {
  applied: [snapshot: SwitchSnapshot];
  error: [error: unknown];
};

export class SwitchClient extends EventEmitter<SwitchClientEvents> {
  private readonly framework: Framework;
  private readonly envPath: string;
  private readonly options: SwitchClientOptions;
  private snapshot: SwitchSnapshot = { revision: -1, switches: [] };
  private watch: DataWatch | undefined;
  private receipt: PersistentEphemeralNode | undefined;
  private reading: Promise<void> = Promise.resolve();

  constructor(client: ClientLike, options: SwitchClientOptions) {
    super();
    this.framework = toFramework(client);
    this.options = options;
    this.envPath = switchEnvPath(options.root ?? DEFAULT_SWITCH_ROOT, options.env);
  }

  get revision(): number {
    return this.snapshot.revision;
  }

  get switches(): readonly SwitchState[] {
    return this.snapshot.switches;
  }

  async start(): Promise<void> {
    const onError = (e: unknown) => this.listenerCount('error') > 0 && this.emit('error', e);
    // the revision node's data watch triggers a consistent re-read of all items
    this.watch = new DataWatch(this.framework, `${this.envPath}/revision`, () => this.refresh(), onError);
    await this.watch.start();
    await this.reading;
  }

  private refresh(): void {
    this.reading = this.reading
      .then(async () => {
        const snap = await this.framework.run((c) => readSwitchSnapshot(c, this.envPath));
        if (snap.revision === this.snapshot.revision && snap.revision >= 0 && sameVersions(snap, this.snapshot)) return;
        this.snapshot = snap;
        this.writeReceipt(snap);
        this.emit('applied', snap);
      })
      .catch((e: unknown) => {
        if (this.listenerCount('error') > 0) this.emit('error', e);
      });
  }

  private writeReceipt(snap: SwitchSnapshot): void {
    if (this.options.receipts === false) return;
    const receipt: SwitchReceipt = {
      clientId: this.options.clientId,
      application: this.options.application,
      revision: snap.revision,
      switches: Object.fromEntries(snap.switches.map((s) => [s.id, s.version])),
      appliedAt: new Date().toISOString(),
    };
    const data = JSON.stringify(receipt);
    const onError = (e: unknown) => this.listenerCount('error') > 0 && this.emit('error', e);
    if (!this.receipt) {
      this.receipt = new PersistentEphemeralNode(this.framework, `${this.envPath}/receipts/${encodeURIComponent(this.options.clientId)}`, data);
      void this.receipt.start().catch(onError);
    } else void this.receipt.setData(data).catch(onError);
  }

  /** The switch that governs a call of `service.method` from this application, if any. */
  evaluate(service: string, method: string): SwitchState | undefined {
    return findSwitch(this.snapshot.switches, { service, method, consumerApp: this.options.application }, (this.options.now ?? Date.now)());
  }

  /** Runs `invoke` under the switch: force returns the fallback without calling; fail falls back on error. */
  call<T>(service: string, method: string, invoke: () => Promise<T>): Promise<T> {
    return applySwitch(this.evaluate(service, method), invoke);
  }

  /** Resolves once a revision >= `revision` is applied. */
  waitForRevision(revision: number, timeoutMs = 10_000): Promise<void> {
    if (this.snapshot.revision >= revision) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('applied', onApplied);
        reject(new Error(`switch revision ${revision} not applied within ${timeoutMs} ms (at ${this.snapshot.revision})`));
      }, timeoutMs);
      const onApplied = (s: SwitchSnapshot) => {
        if (s.revision >= revision) {
          clearTimeout(timer);
          this.off('applied', onApplied);
          resolve();
        }
      };
      this.on('applied', onApplied);
    });
  }

  async close(): Promise<void> {
    this.watch?.close();
    await this.reading;
    await this.receipt?.close().catch(() => undefined);
  }
}

function sameVersions(a: SwitchSnapshot, b: SwitchSnapshot): boolean {
  return a.switches.length === b.switches.length && a.switches.every((s, i) => s.id === b.switches[i]!.id && s.version === b.switches[i]!.version);
}
