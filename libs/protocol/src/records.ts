/**
 * Jute codecs for every record of the client protocol, in both directions:
 * the server reads requests and writes responses, a client writes requests and reads responses.
 *
 * Conventions:
 * - `readX(r)` decodes one record at the reader's offset and advances it; it throws only
 *   {@link JuteDecodeError} (truncated input, bad lengths, longs out of exact range).
 * - `writeX(w, v)` appends one record. Writers take structural shapes, so a caller can pass any object
 *   that has the fields (e.g. a data-tree node with `data` and `stat`) without building a new one.
 * - Field order follows `zookeeper.jute` exactly; records are their fields concatenated, no tags.
 * - Nullable wire values that carry no meaning are normalised on read: null paths/schemes read as '',
 *   null vectors (ACL lists, children, watch lists) read as []. `buffer` fields keep null (data stored as
 *   null is returned as -1), as do the nullable ustrings of ReconfigRequest.
 * - Buffers returned by readers are views into the frame (no copy); copy them if the frame is reused.
 */
import { JuteDecodeError, type JuteReader } from './jute-reader.js';
import type { JuteWriter } from './jute-writer.js';
import type {
  ACL,
  AddWatchRequest,
  AuthPacket,
  CheckVersionRequest,
  ClientInfo,
  ConnectRequest,
  ConnectResponse,
  Create2Response,
  CreateRequest,
  CreateResponse,
  DeleteRequest,
  ErrorResponse,
  GetACLResponse,
  GetAllChildrenNumberResponse,
  GetChildren2Response,
  GetChildrenResponse,
  GetDataResponse,
  GetEphemeralsResponse,
  Id,
  MultiHeader,
  PathRequest,
  PathResponse,
  PathWatchRequest,
  ReconfigRequest,
  ReplyHeader,
  RequestHeader,
  SaslToken,
  SetACLRequest,
  SetDataRequest,
  SetWatchesRequest,
  Stat,
  StatResponse,
  WatcherEvent,
  WatchesRequest,
  WhoAmIResponse,
} from './types.js';

/** Byte size of an encoded Stat. */
export const STAT_SIZE = 68;
const EMPTY = Buffer.alloc(0);

function readStringList(r: JuteReader): string[] {
  return r.readVector(readPathString) ?? [];
}
function readPathString(r: JuteReader): string {
  return r.readStringNonNull();
}
function writeStringItem(w: JuteWriter, s: string): void {
  w.writeString(s);
}

// ---------------------------------------------------------------- data

export function readId(r: JuteReader): Id {
  const scheme = r.readStringNonNull();
  const id = r.readStringNonNull();
  return { scheme, id };
}
export function writeId(w: JuteWriter, v: Id): void {
  w.writeString(v.scheme);
  w.writeString(v.id);
}

export function readACL(r: JuteReader): ACL {
  const perms = r.readInt();
  const id = readId(r);
  return { perms, id };
}
export function writeACL(w: JuteWriter, v: ACL): void {
  w.writeInt(v.perms);
  writeId(w, v.id);
}

/** vector<ACL>; a null vector reads as []. */
export function readACLList(r: JuteReader): ACL[] {
  return r.readVector(readACL) ?? [];
}
export function writeACLList(w: JuteWriter, v: readonly ACL[]): void {
  w.writeVector(v, writeACL);
}

export function readStat(r: JuteReader): Stat {
  if (r.remaining < STAT_SIZE) {
    throw new JuteDecodeError(`truncated Stat: need ${STAT_SIZE} bytes at offset ${r.offset}, have ${r.remaining}`);
  }
  const czxid = r.readLongNumber();
  const mzxid = r.readLongNumber();
  const ctime = r.readLongNumber();
  const mtime = r.readLongNumber();
  const version = r.readInt();
  const cversion = r.readInt();
  const aversion = r.readInt();
  const ephemeralOwner = r.readLong();
  const dataLength = r.readInt();
  const numChildren = r.readInt();
  const pzxid = r.readLongNumber();
  return { czxid, mzxid, ctime, mtime, version, cversion, aversion, ephemeralOwner, dataLength, numChildren, pzxid };
}
export function writeStat(w: JuteWriter, s: Stat): void {
  w.writeLongNumber(s.czxid);
  w.writeLongNumber(s.mzxid);
  w.writeLongNumber(s.ctime);
  w.writeLongNumber(s.mtime);
  w.writeInt(s.version);
  w.writeInt(s.cversion);
  w.writeInt(s.aversion);
  w.writeLong(s.ephemeralOwner);
  w.writeInt(s.dataLength);
  w.writeInt(s.numChildren);
  w.writeLongNumber(s.pzxid);
}

// ---------------------------------------------------------------- headers

export function readRequestHeader(r: JuteReader): RequestHeader {
  const xid = r.readInt();
  const type = r.readInt();
  return { xid, type };
}
export function writeRequestHeader(w: JuteWriter, xid: number, type: number): void {
  w.writeInt(xid);
  w.writeInt(type);
}

export function readReplyHeader(r: JuteReader): ReplyHeader {
  const xid = r.readInt();
  const zxid = r.readLongNumber();
  const err = r.readInt();
  return { xid, zxid, err };
}
export function writeReplyHeader(w: JuteWriter, xid: number, zxid: number, err: number): void {
  w.writeInt(xid);
  w.writeLongNumber(zxid);
  w.writeInt(err);
}

export function readMultiHeader(r: JuteReader): MultiHeader {
  const type = r.readInt();
  const done = r.readBool();
  const err = r.readInt();
  return { type, done, err };
}
export function writeMultiHeader(w: JuteWriter, type: number, done: boolean, err: number): void {
  w.writeInt(type);
  w.writeBool(done);
  w.writeInt(err);
}

// ---------------------------------------------------------------- handshake

/**
 * ConnectRequest. The trailing `readOnly` bool is optional (pre-3.4 clients, node-zookeeper-client omit it):
 * like ZooKeeperServer.processConnectRequest, it is read only if at least one byte remains, otherwise
 * `readOnly` is `undefined` and the response must omit it too. Extra trailing bytes are ignored (as Java does).
 */
export function readConnectRequest(r: JuteReader): ConnectRequest {
  const protocolVersion = r.readInt();
  const lastZxidSeen = r.readLongNumber();
  const timeOut = r.readInt();
  const sessionId = r.readLong();
  const passwd = r.readBuffer() ?? EMPTY;
  const readOnly = r.remaining >= 1 ? r.readBool() : undefined;
  return { protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly };
}
export function writeConnectRequest(w: JuteWriter, v: ConnectRequest): void {
  w.writeInt(v.protocolVersion);
  w.writeLongNumber(v.lastZxidSeen);
  w.writeInt(v.timeOut);
  w.writeLong(v.sessionId);
  w.writeBuffer(v.passwd);
  if (v.readOnly !== undefined) w.writeBool(v.readOnly);
}

/** ConnectResponse; `readOnly` is undefined when the server omitted the byte (old-client form). */
export function readConnectResponse(r: JuteReader): ConnectResponse {
  const protocolVersion = r.readInt();
  const timeOut = r.readInt();
  const sessionId = r.readLong();
  const passwd = r.readBuffer() ?? EMPTY;
  const readOnly = r.remaining >= 1 ? r.readBool() : undefined;
  return { protocolVersion, timeOut, sessionId, passwd, readOnly };
}
/** Writes the readOnly byte only when `v.readOnly !== undefined` (mirror the request's form). */
export function writeConnectResponse(w: JuteWriter, v: ConnectResponse): void {
  w.writeInt(v.protocolVersion);
  w.writeInt(v.timeOut);
  w.writeLong(v.sessionId);
  w.writeBuffer(v.passwd);
  if (v.readOnly !== undefined) w.writeBool(v.readOnly);
}

// ---------------------------------------------------------------- notifications

export function readWatcherEvent(r: JuteReader): WatcherEvent {
  const type = r.readInt();
  const state = r.readInt();
  const path = r.readStringNonNull();
  return { type, state, path };
}
export function writeWatcherEvent(w: JuteWriter, v: WatcherEvent): void {
  w.writeInt(v.type);
  w.writeInt(v.state);
  w.writeString(v.path);
}

// ---------------------------------------------------------------- requests

/** CreateRequest (ops 1, 15, 19): {path, data, acl, flags}. */
export function readCreateRequest(r: JuteReader): CreateRequest {
  const path = r.readStringNonNull();
  const data = r.readBuffer();
  const acl = readACLList(r);
  const flags = r.readInt();
  return { path, data, acl, flags };
}
export function writeCreateRequest(w: JuteWriter, v: CreateRequest): void {
  w.writeString(v.path);
  w.writeBuffer(v.data);
  writeACLList(w, v.acl);
  w.writeInt(v.flags);
}

/** CreateTTLRequest (op 21): CreateRequest + long ttl. */
export function readCreateTTLRequest(r: JuteReader): CreateRequest {
  const v = readCreateRequest(r);
  v.ttl = r.readLong();
  return v;
}
export function writeCreateTTLRequest(w: JuteWriter, v: CreateRequest): void {
  writeCreateRequest(w, v);
  w.writeLong(v.ttl ?? 0n);
}

/** DeleteRequest (op 2). */
export function readDeleteRequest(r: JuteReader): DeleteRequest {
  const path = r.readStringNonNull();
  const version = r.readInt();
  return { path, version };
}
export function writeDeleteRequest(w: JuteWriter, v: DeleteRequest): void {
  w.writeString(v.path);
  w.writeInt(v.version);
}

/** ExistsRequest, GetDataRequest, GetChildrenRequest, GetChildren2Request (ops 3, 4, 8, 12): {path, bool watch}. */
export function readPathWatchRequest(r: JuteReader): PathWatchRequest {
  const path = r.readStringNonNull();
  const watch = r.readBool();
  return { path, watch };
}
export function writePathWatchRequest(w: JuteWriter, v: PathWatchRequest): void {
  w.writeString(v.path);
  w.writeBool(v.watch);
}

/** SetDataRequest (op 5). */
export function readSetDataRequest(r: JuteReader): SetDataRequest {
  const path = r.readStringNonNull();
  const data = r.readBuffer();
  const version = r.readInt();
  return { path, data, version };
}
export function writeSetDataRequest(w: JuteWriter, v: SetDataRequest): void {
  w.writeString(v.path);
  w.writeBuffer(v.data);
  w.writeInt(v.version);
}

/**
 * GetACLRequest, SyncRequest, GetEphemeralsRequest (prefixPath), GetAllChildrenNumberRequest
 * (ops 6, 9, 103, 104): {ustring path}.
 */
export function readPathRequest(r: JuteReader): PathRequest {
  return { path: r.readStringNonNull() };
}
export function writePathRequest(w: JuteWriter, v: PathRequest): void {
  w.writeString(v.path);
}

/** SetACLRequest (op 7). */
export function readSetACLRequest(r: JuteReader): SetACLRequest {
  const path = r.readStringNonNull();
  const acl = readACLList(r);
  const version = r.readInt();
  return { path, acl, version };
}
export function writeSetACLRequest(w: JuteWriter, v: SetACLRequest): void {
  w.writeString(v.path);
  writeACLList(w, v.acl);
  w.writeInt(v.version);
}

/** CheckVersionRequest (op 13). */
export function readCheckVersionRequest(r: JuteReader): CheckVersionRequest {
  const path = r.readStringNonNull();
  const version = r.readInt();
  return { path, version };
}
export function writeCheckVersionRequest(w: JuteWriter, v: CheckVersionRequest): void {
  w.writeString(v.path);
  w.writeInt(v.version);
}

/** ReconfigRequest (op 16); the three server lists are nullable. */
export function readReconfigRequest(r: JuteReader): ReconfigRequest {
  const joiningServers = r.readString();
  const leavingServers = r.readString();
  const newMembers = r.readString();
  const curConfigId = r.readLong();
  return { joiningServers, leavingServers, newMembers, curConfigId };
}
export function writeReconfigRequest(w: JuteWriter, v: ReconfigRequest): void {
  w.writeString(v.joiningServers);
  w.writeString(v.leavingServers);
  w.writeString(v.newMembers);
  w.writeLong(v.curConfigId);
}

/** CheckWatchesRequest / RemoveWatchesRequest (ops 17, 18): {path, int type}. */
export function readWatchesRequest(r: JuteReader): WatchesRequest {
  const path = r.readStringNonNull();
  const type = r.readInt();
  return { path, type };
}
export function writeWatchesRequest(w: JuteWriter, v: WatchesRequest): void {
  w.writeString(v.path);
  w.writeInt(v.type);
}

/** AddWatchRequest (op 106). */
export function readAddWatchRequest(r: JuteReader): AddWatchRequest {
  const path = r.readStringNonNull();
  const mode = r.readInt();
  return { path, mode };
}
export function writeAddWatchRequest(w: JuteWriter, v: AddWatchRequest): void {
  w.writeString(v.path);
  w.writeInt(v.mode);
}

/** SetWatches (op 101). The persistent lists come back empty. */
export function readSetWatches(r: JuteReader): SetWatchesRequest {
  const relativeZxid = r.readLongNumber();
  const dataWatches = readStringList(r);
  const existWatches = readStringList(r);
  const childWatches = readStringList(r);
  return { relativeZxid, dataWatches, existWatches, childWatches, persistentWatches: [], persistentRecursiveWatches: [] };
}
/** SetWatches (op 101): the persistent lists are not part of this record and are not written. */
export function writeSetWatches(w: JuteWriter, v: SetWatchesRequest): void {
  w.writeLongNumber(v.relativeZxid);
  w.writeVector(v.dataWatches, writeStringItem);
  w.writeVector(v.existWatches, writeStringItem);
  w.writeVector(v.childWatches, writeStringItem);
}

/** SetWatches2 (op 105). */
export function readSetWatches2(r: JuteReader): SetWatchesRequest {
  const v = readSetWatches(r);
  v.persistentWatches = readStringList(r);
  v.persistentRecursiveWatches = readStringList(r);
  return v;
}
export function writeSetWatches2(w: JuteWriter, v: SetWatchesRequest): void {
  writeSetWatches(w, v);
  w.writeVector(v.persistentWatches, writeStringItem);
  w.writeVector(v.persistentRecursiveWatches, writeStringItem);
}

/** AuthPacket (op 100, xid -4). */
export function readAuthPacket(r: JuteReader): AuthPacket {
  const type = r.readInt();
  const scheme = r.readStringNonNull();
  const auth = r.readBuffer();
  return { type, scheme, auth };
}
export function writeAuthPacket(w: JuteWriter, v: AuthPacket): void {
  w.writeInt(v.type);
  w.writeString(v.scheme);
  w.writeBuffer(v.auth);
}

/** GetSASLRequest / SetSASLResponse (op 102): {buffer token}. */
export function readSaslToken(r: JuteReader): SaslToken {
  return { token: r.readBuffer() };
}
export function writeSaslToken(w: JuteWriter, v: SaslToken): void {
  w.writeBuffer(v.token);
}

// ---------------------------------------------------------------- responses

/** CreateResponse (op 1). */
export function readCreateResponse(r: JuteReader): CreateResponse {
  return { path: r.readStringNonNull() };
}
export function writeCreateResponse(w: JuteWriter, v: CreateResponse): void {
  w.writeString(v.path);
}

/** Create2Response (ops 15, 19, 21). */
export function readCreate2Response(r: JuteReader): Create2Response {
  const path = r.readStringNonNull();
  const stat = readStat(r);
  return { path, stat };
}
export function writeCreate2Response(w: JuteWriter, v: Create2Response): void {
  w.writeString(v.path);
  writeStat(w, v.stat);
}

/** ExistsResponse, SetDataResponse, SetACLResponse (ops 3, 5, 7): {Stat}. */
export function readStatResponse(r: JuteReader): StatResponse {
  return { stat: readStat(r) };
}
export function writeStatResponse(w: JuteWriter, v: StatResponse): void {
  writeStat(w, v.stat);
}

/** GetDataResponse (op 4; also the reconfig reply, op 16). */
export function readGetDataResponse(r: JuteReader): GetDataResponse {
  const data = r.readBuffer();
  const stat = readStat(r);
  return { data, stat };
}
export function writeGetDataResponse(w: JuteWriter, v: GetDataResponse): void {
  w.writeBuffer(v.data);
  writeStat(w, v.stat);
}

/** GetACLResponse (op 6). */
export function readGetACLResponse(r: JuteReader): GetACLResponse {
  const acl = readACLList(r);
  const stat = readStat(r);
  return { acl, stat };
}
export function writeGetACLResponse(w: JuteWriter, v: GetACLResponse): void {
  writeACLList(w, v.acl);
  writeStat(w, v.stat);
}

/** GetChildrenResponse (op 8). */
export function readGetChildrenResponse(r: JuteReader): GetChildrenResponse {
  return { children: readStringList(r) };
}
export function writeGetChildrenResponse(w: JuteWriter, v: GetChildrenResponse): void {
  w.writeVector(v.children, writeStringItem);
}

/** GetChildren2Response (op 12). */
export function readGetChildren2Response(r: JuteReader): GetChildren2Response {
  const children = readStringList(r);
  const stat = readStat(r);
  return { children, stat };
}
export function writeGetChildren2Response(w: JuteWriter, v: GetChildren2Response): void {
  w.writeVector(v.children, writeStringItem);
  writeStat(w, v.stat);
}

/** SyncResponse (op 9). */
export function readSyncResponse(r: JuteReader): PathResponse {
  return { path: r.readStringNonNull() };
}
export function writeSyncResponse(w: JuteWriter, v: PathResponse): void {
  w.writeString(v.path);
}

/** GetEphemeralsResponse (op 103). */
export function readGetEphemeralsResponse(r: JuteReader): GetEphemeralsResponse {
  return { ephemerals: readStringList(r) };
}
export function writeGetEphemeralsResponse(w: JuteWriter, v: GetEphemeralsResponse): void {
  w.writeVector(v.ephemerals, writeStringItem);
}

/** GetAllChildrenNumberResponse (op 104). */
export function readGetAllChildrenNumberResponse(r: JuteReader): GetAllChildrenNumberResponse {
  return { totalNumber: r.readInt() };
}
export function writeGetAllChildrenNumberResponse(w: JuteWriter, v: GetAllChildrenNumberResponse): void {
  w.writeInt(v.totalNumber);
}

export function readClientInfo(r: JuteReader): ClientInfo {
  const authScheme = r.readStringNonNull();
  const user = r.readStringNonNull();
  return { authScheme, user };
}
export function writeClientInfo(w: JuteWriter, v: ClientInfo): void {
  w.writeString(v.authScheme);
  w.writeString(v.user);
}

/** WhoAmIResponse (op 107): vector<ClientInfo>. */
export function readWhoAmIResponse(r: JuteReader): WhoAmIResponse {
  return { clientInfo: r.readVector(readClientInfo) ?? [] };
}
export function writeWhoAmIResponse(w: JuteWriter, v: WhoAmIResponse): void {
  w.writeVector(v.clientInfo, writeClientInfo);
}

/** ErrorResponse: the addWatch reply body, and an error result's body inside a multi reply. */
export function readErrorResponse(r: JuteReader): ErrorResponse {
  return { err: r.readInt() };
}
export function writeErrorResponse(w: JuteWriter, v: ErrorResponse): void {
  w.writeInt(v.err);
}
