// Minimal typings for the untyped npm package `node-zookeeper-client` 1.1.x (the parts the tests use).
declare module 'node-zookeeper-client' {
  import { EventEmitter } from 'node:events';

  export interface Stat {
    /** longs are 8-byte big-endian Buffers */
    czxid: Buffer;
    mzxid: Buffer;
    ctime: Buffer;
    mtime: Buffer;
    version: number;
    cversion: number;
    aversion: number;
    ephemeralOwner: Buffer;
    dataLength: number;
    numChildren: number;
    pzxid: Buffer;
  }

  export class Event {
    type: number;
    name: string;
    path: string;
    getType(): number;
    getName(): string;
    getPath(): string;
    static NODE_CREATED: number;
    static NODE_DELETED: number;
    static NODE_DATA_CHANGED: number;
    static NODE_CHILDREN_CHANGED: number;
  }

  export class State {
    name: string;
    code: number;
    getName(): string;
    getCode(): number;
    static DISCONNECTED: State;
    static SYNC_CONNECTED: State;
    static AUTH_FAILED: State;
    static CONNECTED_READ_ONLY: State;
    static SASL_AUTHENTICATED: State;
    static EXPIRED: State;
  }

  export class Exception extends Error {
    code: number;
    name: string;
    path?: string;
    getCode(): number;
    getName(): string;
    getPath(): string | undefined;
    static OK: number;
    static SYSTEM_ERROR: number;
    static RUNTIME_INCONSISTENCY: number;
    static CONNECTION_LOSS: number;
    static BAD_ARGUMENTS: number;
    static NO_NODE: number;
    static NO_AUTH: number;
    static BAD_VERSION: number;
    static NO_CHILDREN_FOR_EPHEMERALS: number;
    static NODE_EXISTS: number;
    static NOT_EMPTY: number;
    static SESSION_EXPIRED: number;
  }

  export const CreateMode: {
    PERSISTENT: number;
    PERSISTENT_SEQUENTIAL: number;
    EPHEMERAL: number;
    EPHEMERAL_SEQUENTIAL: number;
  };

  export type Watcher = (event: Event) => void;
  export type ErrorCallback = (error: Exception | Error | null) => void;

  export interface TransactionResult {
    type: number;
    path?: string;
    stat?: Stat;
    err?: number;
  }

  export class Transaction {
    create(path: string, data?: Buffer | null, acls?: unknown[], mode?: number): Transaction;
    create(path: string, data: Buffer | null, mode: number): Transaction;
    setData(path: string, data: Buffer | null, version?: number): Transaction;
    check(path: string, version?: number): Transaction;
    remove(path: string, version?: number): Transaction;
    commit(callback: (error: Exception | Error | null, results: TransactionResult[]) => void): void;
  }

  export interface ClientOptions {
    sessionTimeout?: number;
    spinDelay?: number;
    retries?: number;
  }

  export class Client extends EventEmitter {
    connect(): void;
    close(): void;
    getState(): State;
    getSessionId(): Buffer;
    getSessionPassword(): Buffer;
    getSessionTimeout(): number;
    create(path: string, callback: (error: Exception | Error | null, path: string) => void): void;
    create(path: string, data: Buffer | null, callback: (error: Exception | Error | null, path: string) => void): void;
    create(path: string, data: Buffer | null, mode: number, callback: (error: Exception | Error | null, path: string) => void): void;
    remove(path: string, version: number, callback: ErrorCallback): void;
    removeRecursive(path: string, version: number, callback: ErrorCallback): void;
    exists(path: string, watcher: Watcher | undefined, callback: (error: Exception | Error | null, stat: Stat | null) => void): void;
    getChildren(
      path: string,
      watcher: Watcher | undefined,
      callback: (error: Exception | Error | null, children: string[], stat: Stat) => void,
    ): void;
    listSubTreeBFS(path: string, callback: (error: Exception | Error | null, children: string[]) => void): void;
    getData(
      path: string,
      watcher: Watcher | undefined,
      callback: (error: Exception | Error | null, data: Buffer | undefined, stat: Stat) => void,
    ): void;
    setData(path: string, data: Buffer | null, version: number, callback: (error: Exception | Error | null, stat: Stat) => void): void;
    mkdirp(path: string, data: Buffer | null, callback: (error: Exception | Error | null, path: string) => void): void;
    transaction(): Transaction;
  }

  export function createClient(connectionString: string, options?: ClientOptions): Client;

  const zookeeper: {
    createClient: typeof createClient;
    CreateMode: typeof CreateMode;
    Event: typeof Event;
    State: typeof State;
    Exception: typeof Exception;
  };
  export default zookeeper;
}
