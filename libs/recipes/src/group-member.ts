/**
 * GroupMember (Curator): membership of a group as an ephemeral node `<path>/<id>` (kept present while started,
 * re-created after session loss) plus a cache of every member.
 */
import { EventEmitter } from 'node:events';
import { toFramework, type ClientLike, type Framework } from './framework.js';
import { PathChildrenCache } from './path-children-cache.js';
import { PersistentEphemeralNode } from './persistent-node.js';
import { joinPath, nodeName } from './utils.js';

export type GroupMemberEvents = {
  /** The member set changed. */
  membershipChanged: [members: Map<string, Buffer>];
  error: [error: unknown];
};

export class GroupMember extends EventEmitter<GroupMemberEvents> {
  readonly framework: Framework;
  private readonly node: PersistentEphemeralNode;
  private readonly cache: PathChildrenCache;

  constructor(
    client: ClientLike,
    readonly membershipPath: string,
    readonly thisId: string,
    payload: Buffer | string | null = null,
  ) {
    super();
    if (thisId.includes('/') || thisId.length === 0) throw new Error(`bad member id ${thisId}`);
    this.framework = toFramework(client);
    this.node = new PersistentEphemeralNode(this.framework, joinPath(membershipPath, thisId), payload);
    this.cache = new PathChildrenCache(this.framework, membershipPath);
    const changed = () => this.emit('membershipChanged', this.getCurrentMembers());
    this.cache.on('childAdded', changed);
    this.cache.on('childUpdated', changed);
    this.cache.on('childRemoved', changed);
    this.node.on('error', (e) => this.listenerCount('error') > 0 && this.emit('error', e));
    this.cache.on('error', (e) => this.listenerCount('error') > 0 && this.emit('error', e));
  }

  async start(): Promise<void> {
    await this.node.start();
    await this.cache.start();
  }

  async close(): Promise<void> {
    await this.cache.close();
    await this.node.close();
  }

  async setThisData(data: Buffer | string | null): Promise<void> {
    await this.node.setData(data);
  }

  /** Member id -> payload (this member always included while started). */
  getCurrentMembers(): Map<string, Buffer> {
    const members = new Map<string, Buffer>();
    for (const d of this.cache.getCurrentData()) members.set(nodeName(d.path), d.data);
    if (!members.has(this.thisId)) members.set(this.thisId, this.node.getData());
    return members;
  }

  /** Member id of a cache path. */
  static idFromPath(path: string): string {
    return nodeName(path);
  }
}
