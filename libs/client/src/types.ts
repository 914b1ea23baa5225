/** Public value types of the client: create modes, ACL presets, watch events, states. */
import { createHash } from 'node:crypto';
import { CreateFlags, EventType, Perms, type ACL, type Id } from '@paddock/protocol';

export type { ACL, Id, Stat } from '@paddock/protocol';
export { Perms } from '@paddock/protocol';

export type CreateMode =
  | 'persistent'
  | 'ephemeral'
  | 'persistentSequential'
  | 'ephemeralSequential'
  | 'container'
  | 'persistentWithTTL'
  | 'persistentSequentialWithTTL';

export const CREATE_MODE_FLAGS: Readonly<Record<CreateMode, number>> = {
  persistent: CreateFlags.PERSISTENT,
  ephemeral: CreateFlags.EPHEMERAL,
  persistentSequential: CreateFlags.PERSISTENT_SEQUENTIAL,
  ephemeralSequential: CreateFlags.EPHEMERAL_SEQUENTIAL,
  container: CreateFlags.CONTAINER,
  persistentWithTTL: CreateFlags.PERSISTENT_WITH_TTL,
  persistentSequentialWithTTL: CreateFlags.PERSISTENT_SEQUENTIAL_WITH_TTL,
};

export function isSequential(mode: CreateMode): boolean {
  return mode === 'persistentSequential' || mode === 'ephemeralSequential' || mode === 'persistentSequentialWithTTL';
}
export function isTTL(mode: CreateMode): boolean {
  return mode === 'persistentWithTTL' || mode === 'persistentSequentialWithTTL';
}

export const ANYONE_ID_UNSAFE: Id = { scheme: 'world', id: 'anyone' };
/** The credentials the request is sent with (`auth` scheme): the creator gets the rights. */
export const AUTH_IDS: Id = { scheme: 'auth', id: '' };
export const OPEN_ACL_UNSAFE: readonly ACL[] = Object.freeze([{ perms: Perms.ALL, id: ANYONE_ID_UNSAFE }]);
export const CREATOR_ALL_ACL: readonly ACL[] = Object.freeze([{ perms: Perms.ALL, id: AUTH_IDS }]);
export const READ_ACL_UNSAFE: readonly ACL[] = Object.freeze([{ perms: Perms.READ, id: ANYONE_ID_UNSAFE }]);

/** The id of a digest ACL for user/password: `user:base64(sha1("user:password"))` (DigestAuthenticationProvider). */
export function digestId(user: string, password: string): Id {
  const hash = createHash('sha1').update(`${user}:${password}`, 'utf8').digest('base64');
  return { scheme: 'digest', id: `${user}:${hash}` };
}

export type WatchEventType =
  | 'NodeCreated'
  | 'NodeDeleted'
  | 'NodeDataChanged'
  | 'NodeChildrenChanged'
  | 'DataWatchRemoved'
  | 'ChildWatchRemoved'
  | 'PersistentWatchRemoved';

const EVENT_NAMES = new Map<number, WatchEventType>([
  [EventType.NodeCreated, 'NodeCreated'],
  [EventType.NodeDeleted, 'NodeDeleted'],
  [EventType.NodeDataChanged, 'NodeDataChanged'],
  [EventType.NodeChildrenChanged, 'NodeChildrenChanged'],
  [EventType.DataWatchRemoved, 'DataWatchRemoved'],
  [EventType.ChildWatchRemoved, 'ChildWatchRemoved'],
  [EventType.PersistentWatchRemoved, 'PersistentWatchRemoved'],
]);
export function watchEventTypeName(code: number): WatchEventType | undefined {
  return EVENT_NAMES.get(code);
}

/** A watch notification, with the path as the application sees it (chroot stripped). */
export interface WatchedEvent {
  type: WatchEventType;
  /** EventType code on the wire (1..7). */
  typeCode: number;
  path: string;
}

export type Watcher = (event: WatchedEvent) => void;

/** Session states, emitted as 'state' events and as events of their own name. */
export type ClientState = 'connecting' | 'connected' | 'disconnected' | 'expired' | 'closed' | 'auth-failed';

/** Which watches checkWatches/removeWatches are about (WatcherType). */
export type WatcherKind = 'children' | 'data' | 'any' | 'persistent' | 'persistentRecursive';
export const WATCHER_KIND_CODES: Readonly<Record<WatcherKind, number>> = {
  children: 1,
  data: 2,
  any: 3,
  persistent: 4,
  persistentRecursive: 5,
};

/** addWatch modes. */
export type AddWatchMode = 'persistent' | 'persistentRecursive';
