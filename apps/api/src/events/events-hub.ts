/**
 * Watch-driven change streams for the console, framework-free. A subscription names a topic:
 *
 *   { topic: 'znode', path }                     every change under path (persistent recursive watch)
 *   { topic: 'switches', env }                   the env's switches after every flip (watch on the revision node)
 *   { topic: 'config', env, app, namespace }     the live release and the gray release after every publish /
 *                                                rollback / gray change (each gray change rewrites the live node)
 *   { topic: 'registry', service? }              a service's providers / consumers / overrides (or the service list)
 *   { topic: 'log-center' }                      desired vs actual assignment, slaves (after any change under the root)
 *   { topic: 'data-sync' }                       tasks (state, progress, history) and workers (likewise)
 *
 * Each subscriber first gets a fresh snapshot (also after a reconnect: the client re-subscribes and resyncs
 * instead of trusting the stream it missed), then events numbered per topic (`seq`) so gaps are visible.
 * One ZooKeeper watch per topic is shared by all subscribers (ref-counted).
 */
import type { WatchedEvent, Watcher } from '@paddock/client';
import { ChildrenWatch, DataWatch, type ConfigService, type SwitchService } from '@paddock/platform';
import { categoryDir } from '@paddock/platform';
import type { Framework } from '@paddock/recipes';
import { z } from 'zod';
import type { Area } from '../auth/access.js';
import type { DataSyncViews } from '../data-sync/data-sync.views.js';
import type { LogCenterViews } from '../log-center/log-center.views.js';
import type { RegistryViews } from '../registry/registry.views.js';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
export const Subscription = z.discriminatedUnion('topic', [
  z.object({ topic: z.literal('znode'), path: z.string().regex(/^\/(?:[^/\0]+(?:\/[^/\0]+)*)?$/) }),
  z.object({ topic: z.literal('switches'), env: name }),
  z.object({ topic: z.literal('config'), env: name, app: name, namespace: name }),
  z.object({ topic: z.literal('registry'), service: z.string().min(1).max(300).optional() }),
  z.object({ topic: z.literal('log-center') }),
  z.object({ topic: z.literal('data-sync') }),
]);
export type Subscription = z.infer<typeof Subscription>;

export const TOPIC_AREA: Record<Subscription['topic'], Area> = { znode: 'znodes', switches: 'switches', config: 'config', registry: 'registry', 'log-center': 'log-center', 'data-sync': 'data-sync' };

export function topicKey(s: Subscription): string {
  switch (s.topic) {
    case 'znode':
      return `znode:${s.path}`;
    case 'switches':
      return `switches:${s.env}`;
    case 'config':
      return `config:${s.env}/${s.app}/${s.namespace}`;
    case 'registry':
      return s.service ? `registry:${s.service}` : 'registry:*';
    case 'log-center':
      return 'log-center';
    case 'data-sync':
      return 'data-sync';
  }
}

export interface HubEvent {
  key: string;
  seq: number;
  topic: Subscription['topic'];
  data: unknown;
}

interface Feed {
  refs: number;
  seq: number;
  stop: () => void;
}

export class EventsHub {
  private readonly feeds = new Map<string, Feed>();

  constructor(
    private readonly framework: Framework,
    private readonly services: { switches: SwitchService; config: ConfigService; registry: RegistryViews; dubboRoot: string; logCenter: LogCenterViews; dataSync: DataSyncViews },
    private readonly publish: (event: HubEvent) => void,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Current state of a topic (the resync payload). */
  async snapshot(s: Subscription): Promise<unknown> {
    switch (s.topic) {
      case 'znode': {
        const c = this.framework.client;
        const stat = await c.exists(s.path);
        return { path: s.path, exists: stat !== null, version: stat?.version ?? null, children: stat ? (await c.getChildren(s.path)).sort() : [] };
      }
      case 'switches':
        return this.services.switches.list(s.env);
      case 'config':
        return { live: await this.services.config.get(s), gray: await this.services.config.getGray(s) };
      case 'registry':
        return s.service ? this.services.registry.service(s.service) : this.services.registry.services();
      case 'log-center':
        return this.services.logCenter.snapshot();
      case 'data-sync':
        return this.services.dataSync.snapshot();
    }
  }

  /** Starts (or joins) the topic's feed. */
  async acquire(s: Subscription): Promise<string> {
    const key = topicKey(s);
    const existing = this.feeds.get(key);
    if (existing) {
      existing.refs++;
      return key;
    }
    const feed: Feed = { refs: 1, seq: 0, stop: () => undefined };
    this.feeds.set(key, feed);
    const emit = (data: unknown) => this.publish({ key, seq: ++feed.seq, topic: s.topic, data });
    try {
      feed.stop = await this.start(s, emit);
    } catch (error) {
      this.feeds.delete(key);
      throw error;
    }
    return key;
  }

  release(key: string): void {
    const feed = this.feeds.get(key);
    if (!feed || --feed.refs > 0) return;
    this.feeds.delete(key);
    feed.stop();
  }

  close(): void {
    for (const feed of this.feeds.values()) feed.stop();
    this.feeds.clear();
  }

  private async start(s: Subscription, emit: (data: unknown) => void): Promise<() => void> {
    const deferred = (read: () => Promise<unknown>) => () => void read().then(emit, this.onError);
    switch (s.topic) {
      case 'znode': {
        const c = this.framework.client;
        const watcher: Watcher = (event: WatchedEvent) => emit({ type: event.type, path: event.path });
        await c.addWatch(s.path, watcher, 'persistentRecursive');
        // after a reconnect the missed changes are unknown: tell subscribers to resync
        const onState = (state: string) => state === 'reconnected' && emit({ type: 'resync' });
        this.framework.on('connectionState', onState);
        return () => {
          this.framework.off('connectionState', onState);
          void this.framework.client.removeWatches(s.path, watcher, 'any').catch(() => undefined);
        };
      }
      case 'switches': {
        let first = true;
        const w = new DataWatch(this.framework, `${this.services.switches.envPath(s.env)}/revision`, () => {
          if (first) return void (first = false);
          deferred(() => this.services.switches.list(s.env))();
        }, this.onError);
        await w.start();
        return () => w.close();
      }
      case 'config': {
        let first = true;
        const w = new DataWatch(this.framework, this.services.config.path(s), () => {
          if (first) return void (first = false);
          deferred(async () => ({ live: await this.services.config.get(s), gray: await this.services.config.getGray(s) }))();
        }, this.onError);
        await w.start();
        return () => w.close();
      }
      case 'registry': {
        const dirs = s.service
          ? (['providers', 'consumers', 'configurators', 'routers'] as const).map((cat) => categoryDir(s.service!, cat, this.services.dubboRoot))
          : [this.services.dubboRoot];
        const read = s.service ? () => this.services.registry.service(s.service!) : () => this.services.registry.services();
        const watches = dirs.map((dir) => {
          let first = true;
          return new ChildrenWatch(this.framework, dir, () => {
            if (first) return void (first = false);
            deferred(read)();
          }, this.onError);
        });
        await Promise.all(watches.map((w) => w.start()));
        return () => watches.forEach((w) => w.close());
      }
      case 'log-center':
        return this.subtree(this.services.logCenter.service.paths.root, () => this.services.logCenter.snapshot(), emit);
      case 'data-sync':
        return this.subtree(this.services.dataSync.service.paths.root, () => this.services.dataSync.snapshot(), emit);
    }
  }

  /**
   * A persistent recursive watch on a subsystem's root: any change (assignment, slave/worker membership and
   * reports, task state/progress) schedules one re-read, coalesced over `debounceMs`, emitted as the new state.
   * After a reconnect the state is re-read as well (changes may have been missed).
   */
  private async subtree(root: string, read: () => Promise<unknown>, emit: (data: unknown) => void, debounceMs = 100): Promise<() => void> {
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const schedule = () => {
      if (timer || stopped) return;
      timer = setTimeout(() => {
        timer = undefined;
        if (!stopped) void read().then((d) => !stopped && emit(d), this.onError);
      }, debounceMs);
      timer.unref?.();
    };
    const client = this.framework.client;
    const watcher: Watcher = () => schedule();
    await client.addWatch(root, watcher, 'persistentRecursive');
    const onState = (state: string) => state === 'reconnected' && schedule();
    this.framework.on('connectionState', onState);
    return () => {
      stopped = true;
      clearTimeout(timer);
      this.framework.off('connectionState', onState);
      void client.removeWatches(root, watcher, 'any').catch(() => undefined);
    };
  }
}
