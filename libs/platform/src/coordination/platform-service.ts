/**
 * What the operator-side services of log-center and data-sync share: the framework they run on, their znode
 * paths, and an auditor that stamps events with the service's clock.
 */
import type { ZooKeeperClient } from '@paddock/client';
import { toFramework, type ClientLike, type Framework } from '@paddock/recipes';
import { Auditor, type AuditPolicy, type AuditSink } from '../audit.js';

export interface PlatformServiceOptions {
  audit?: AuditSink;
  policy?: AuditPolicy;
  now?: () => number;
}

export abstract class PlatformService<Paths> {
  readonly framework: Framework;
  readonly paths: Paths;
  protected readonly auditor: Auditor;
  protected readonly now: () => number;

  protected constructor(client: ClientLike, paths: Paths, options: PlatformServiceOptions) {
    this.framework = toFramework(client);
    this.paths = paths;
    this.now = options.now ?? Date.now;
    this.auditor = new Auditor(options.audit, options.policy, () => new Date(this.now()));
  }

  /** Runs `fn` with a connected client, retried the framework's way. */
  protected run<T>(fn: (c: ZooKeeperClient) => Promise<T>): Promise<T> {
    return this.framework.run(fn);
  }
}
