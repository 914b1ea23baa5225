/**
 * Shapes of the jute records shared by the codec, the data tree and the server.
 * zxids and times are exact JS numbers (zxid = epoch << 32 | counter stays below 2^53 for epochs < 2^21);
 * session ids and ephemeral owners use all 64 bits, so they are `bigint`.
 */
export interface Id {
  scheme: string;
  id: string;
}

export interface ACL {
  perms: number;
  id: Id;
}

export interface Stat {
  czxid: number;
  mzxid: number;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  pzxid: number;
}

export interface RequestHeader {
  xid: number;
  type: number;
}

export interface ReplyHeader {
  xid: number;
  zxid: number;
  err: number;
}

export interface ConnectRequest {
  protocolVersion: number;
  lastZxidSeen: number;
  timeOut: number;
  sessionId: bigint;
  passwd: Buffer;
  /** undefined when the client did not send the optional byte (pre-3.4 clients, node-zookeeper-client). */
  readOnly: boolean | undefined;
}

export interface ConnectResponse {
  protocolVersion: number;
  timeOut: number;
  sessionId: bigint;
  passwd: Buffer;
  /** undefined: omit the byte (mirror the request). */
  readOnly: boolean | undefined;
}

export interface WatcherEvent {
  type: number;
  state: number;
  path: string;
}

// ---- write requests (the ones prep turns into txns) ----

export interface CreateRequest {
  path: string;
  data: Buffer | null;
  acl: ACL[];
  flags: number;
  /** present only for createTTL (op 21) */
  ttl?: bigint;
}

export interface DeleteRequest {
  path: string;
  version: number;
}

export interface SetDataRequest {
  path: string;
  data: Buffer | null;
  version: number;
}

export interface SetACLRequest {
  path: string;
  acl: ACL[];
  version: number;
}

export interface CheckVersionRequest {
  path: string;
  version: number;
}

/** One op of a multi / multiRead request: `type` is the op code (1, 15, 19, 21, 2, 5, 13 or 4, 8). */
export type MultiOp =
  | { type: 1 | 15 | 19 | 21; request: CreateRequest }
  | { type: 2; request: DeleteRequest }
  | { type: 5; request: SetDataRequest }
  | { type: 13; request: CheckVersionRequest }
  | { type: 4 | 8; request: PathWatchRequest };

// ---- read and misc requests ----

/** exists, getData, getChildren, getChildren2 */
export interface PathWatchRequest {
  path: string;
  watch: boolean;
}

/** getACL, sync, getAllChildrenNumber, getEphemerals (prefixPath), deleteContainer */
export interface PathRequest {
  path: string;
}

export interface WatchesRequest {
  /** checkWatches / removeWatches */
  path: string;
  type: number;
}

export interface AddWatchRequest {
  path: string;
  mode: number;
}

export interface SetWatchesRequest {
  relativeZxid: number;
  dataWatches: string[];
  existWatches: string[];
  childWatches: string[];
  /** setWatches2 only */
  persistentWatches: string[];
  persistentRecursiveWatches: string[];
}

export interface AuthPacket {
  type: number;
  scheme: string;
  auth: Buffer | null;
}

export interface ReconfigRequest {
  joiningServers: string | null;
  leavingServers: string | null;
  newMembers: string | null;
  curConfigId: bigint;
}

export interface ClientInfo {
  authScheme: string;
  user: string;
}

/** One result of a multi / multiRead reply. */
export type MultiResult =
  | { type: 1; path: string }
  | { type: 15; path: string; stat: Stat }
  | { type: 2 | 13 }
  | { type: 5; stat: Stat }
  | { type: 4; data: Buffer | null; stat: Stat }
  | { type: 8; children: string[] }
  | { type: -1; err: number };

// ---- records added with the codecs (records.ts / requests.ts) ----

/** Header of each op inside a multi / multiRead request or response. */
export interface MultiHeader {
  type: number;
  done: boolean;
  err: number;
}

/** sasl (op 102): GetSASLRequest / SetSASLResponse, both `{buffer token}`. */
export interface SaslToken {
  token: Buffer | null;
}

// ---- response bodies (present on the wire only when ReplyHeader.err == 0) ----

export interface CreateResponse {
  path: string;
}

export interface Create2Response {
  path: string;
  stat: Stat;
}

/** ExistsResponse, SetDataResponse, SetACLResponse: `{Stat stat}` */
export interface StatResponse {
  stat: Stat;
}

/** getData, and reconfig (data = the new config, stat of /zookeeper/config) */
export interface GetDataResponse {
  data: Buffer | null;
  stat: Stat;
}

export interface GetACLResponse {
  acl: ACL[];
  stat: Stat;
}

export interface GetChildrenResponse {
  children: string[];
}

export interface GetChildren2Response {
  children: string[];
  stat: Stat;
}

/** SyncResponse */
export interface PathResponse {
  path: string;
}

export interface GetEphemeralsResponse {
  ephemerals: string[];
}

export interface GetAllChildrenNumberResponse {
  totalNumber: number;
}

export interface WhoAmIResponse {
  clientInfo: ClientInfo[];
}

/** ErrorResponse: addWatch reply body (err 0) and the body of an error result inside a multi reply. */
export interface ErrorResponse {
  err: number;
}
