/**
 * Request and response bodies keyed by op code: `decodeRequest` (server) / `encodeRequest` (client),
 * `encodeResponse` (server) / `decodeResponse` (client), and the multi / multiRead framing.
 */
import { JuteDecodeError, type JuteReader } from './jute-reader.js';
import type { JuteWriter } from './jute-writer.js';
import {
  readAddWatchRequest,
  readAuthPacket,
  readCheckVersionRequest,
  readCreate2Response,
  readCreateRequest,
  readCreateResponse,
  readCreateTTLRequest,
  readDeleteRequest,
  readErrorResponse,
  readGetACLResponse,
  readGetAllChildrenNumberResponse,
  readGetChildren2Response,
  readGetChildrenResponse,
  readGetDataResponse,
  readGetEphemeralsResponse,
  readMultiHeader,
  readPathRequest,
  readPathWatchRequest,
  readReconfigRequest,
  readSaslToken,
  readSetACLRequest,
  readSetDataRequest,
  readSetWatches,
  readSetWatches2,
  readStat,
  readStatResponse,
  readSyncResponse,
  readWatchesRequest,
  readWhoAmIResponse,
  writeAddWatchRequest,
  writeAuthPacket,
  writeCheckVersionRequest,
  writeCreate2Response,
  writeCreateRequest,
  writeCreateResponse,
  writeCreateTTLRequest,
  writeDeleteRequest,
  writeErrorResponse,
  writeGetACLResponse,
  writeGetAllChildrenNumberResponse,
  writeGetChildren2Response,
  writeGetChildrenResponse,
  writeGetDataResponse,
  writeGetEphemeralsResponse,
  writeMultiHeader,
  writePathRequest,
  writePathWatchRequest,
  writeReconfigRequest,
  writeRequestHeader,
  writeSaslToken,
  writeSetACLRequest,
  writeSetDataRequest,
  writeSetWatches,
  writeSetWatches2,
  writeStat,
  writeStatResponse,
  writeSyncResponse,
  writeWatchesRequest,
  writeWhoAmIResponse,
} from './records.js';
import type {
  ACL,
  AddWatchRequest,
  AuthPacket,
  CheckVersionRequest,
  ClientInfo,
  CreateRequest,
  DeleteRequest,
  MultiOp,
  MultiResult,
  PathRequest,
  PathWatchRequest,
  ReconfigRequest,
  SaslToken,
  SetACLRequest,
  SetDataRequest,
  SetWatchesRequest,
  Stat,
  WatchesRequest,
} from './types.js';

// ---------------------------------------------------------------- errors

/**
 * The request type is not one the server implements. ZooKeeper (UnimplementedRequestProcessor) replies
 * `{xid, zxid, -6 Unimplemented}` and closes the connection.
 */
export class UnknownOpCodeError extends Error {
  constructor(readonly op: number) {
    super(`unknown op code ${op}`);
    this.name = 'UnknownOpCodeError';
  }
}

/**
 * A multi / multiRead request whose op list is not acceptable: an op type that may not appear in a multi
 * at all (`invalid-op`), write and read ops mixed (`mixed-kinds`), or only read ops in a multi (14) /
 * only write ops in a multiRead (22) (`wrong-kind`).
 *
 * What ZooKeeper 3.8 does (MultiOperationRecord.deserialize, PrepRequestProcessor, FinalRequestProcessor):
 * - `invalid-op` and `mixed-kinds` are IOExceptions while deserialising the record ("Invalid type of op",
 *   "Mixing different kind of ops").
 * - `wrong-kind`: a multi holding only reads passes deserialisation but fails in Prep (no txn for op 4/8,
 *   NPE); a multiRead holding only writes fails in FinalRequestProcessor ("Invalid type of readOp").
 * - In every case the reply is a bare header `{xid, zxid, -5 MarshallingError}` and the connection stays
 *   open. For op 14 the failure happens in Prep after a TxnHeader was made, so an ErrorTxn is logged and a
 *   zxid is consumed (the reply's zxid is that new zxid); for op 22 nothing is logged.
 * A truncated/garbled multi body is a plain {@link JuteDecodeError}, also answered with -5.
 *
 * It extends JuteDecodeError so a server that maps every JuteDecodeError to MarshallingError is correct;
 * use `instanceof MultiKindError` to tell it apart.
 */
export class MultiKindError extends JuteDecodeError {
  constructor(
    readonly multiType: number,
    readonly opType: number,
    readonly reason: 'invalid-op' | 'mixed-kinds' | 'wrong-kind',
  ) {
    super(`multi (op ${multiType}): ${reason} (op type ${opType})`);
    this.name = 'MultiKindError';
  }
}

// ---------------------------------------------------------------- client requests

/** A decoded request body, discriminated on `type` (the op code of its RequestHeader). */
export type ClientRequest =
  /** 1 create (CreateResponse), 15 create2, 19 createContainer (Create2Response); 21 createTTL has `request.ttl`. */
  | { type: 1 | 15 | 19 | 21; request: CreateRequest }
  | { type: 2; request: DeleteRequest }
  /** exists, getData, getChildren, getChildren2 */
  | { type: 3 | 4 | 8 | 12; request: PathWatchRequest }
  | { type: 5; request: SetDataRequest }
  /** getACL, sync, getEphemerals (path = prefixPath), getAllChildrenNumber */
  | { type: 6 | 9 | 103 | 104; request: PathRequest }
  /**
   * deleteContainer: internal (ContainerManager). Its body is not a jute record but the raw UTF-8 path,
   * which is what `request.path` holds (all remaining bytes). ZooKeeper 3.8 accepts it from clients too
   * (Request.isValid) and reads the path from the whole packet including the header, so it never matches.
   */
  | { type: 20; request: PathRequest }
  | { type: 7; request: SetACLRequest }
  /** check: valid only inside a multi; sent alone ZooKeeper replies -6 and closes. */
  | { type: 13; request: CheckVersionRequest }
  | { type: 14 | 22; ops: MultiOp[] }
  | { type: 16; request: ReconfigRequest }
  /** checkWatches, removeWatches */
  | { type: 17 | 18; request: WatchesRequest }
  | { type: 100; request: AuthPacket }
  /** setWatches (persistent lists are empty), setWatches2 */
  | { type: 101 | 105; request: SetWatchesRequest }
  | { type: 102; request: SaslToken }
  | { type: 106; request: AddWatchRequest }
  /** ping (xid -2), closeSession, whoAmI: no body */
  | { type: 11 | -11 | 107 };

export type ClientRequestType = ClientRequest['type'];

/** Op types allowed inside a multi (14). */
export const MULTI_WRITE_OPS: ReadonlySet<number> = new Set([1, 15, 19, 21, 2, 5, 13]);
/** Op types allowed inside a multiRead (22). */
export const MULTI_READ_OPS: ReadonlySet<number> = new Set([4, 8]);

/**
 * Decodes the body of a request whose RequestHeader said `type`; `r` is positioned after the header.
 * Trailing bytes after the record are ignored, as ZooKeeper does.
 *
 * Throws {@link UnknownOpCodeError} for types the server does not implement (including 0 notification,
 * -1 error, -10 createSession, which a client has no business sending), {@link MultiKindError} for an
 * unacceptable multi op list, and {@link JuteDecodeError} for any malformed body.
 */
export function decodeRequest(type: number, r: JuteReader): ClientRequest {
  switch (type) {
    case 1:
    case 15:
    case 19:
      return { type, request: readCreateRequest(r) };
    case 21:
      return { type, request: readCreateTTLRequest(r) };
    case 2:
      return { type, request: readDeleteRequest(r) };
    case 3:
    case 4:
    case 8:
    case 12:
      return { type, request: readPathWatchRequest(r) };
    case 5:
      return { type, request: readSetDataRequest(r) };
    case 6:
    case 9:
    case 103:
    case 104:
      return { type, request: readPathRequest(r) };
    case 20: {
      const path = r.buf.toString('utf8', r.offset, r.end);
      r.offset = r.end;
      return { type, request: { path } };
    }
    case 7:
      return { type, request: readSetACLRequest(r) };
    case 13:
      return { type, request: readCheckVersionRequest(r) };
    case 14:
    case 22:
      return { type, ops: readMultiOps(type, r) };
    case 16:
      return { type, request: readReconfigRequest(r) };
    case 17:
    case 18:
      return { type, request: readWatchesRequest(r) };
    case 100:
      return { type, request: readAuthPacket(r) };
    case 101:
      return { type, request: readSetWatches(r) };
    case 105:
      return { type, request: readSetWatches2(r) };
    case 102:
      return { type, request: readSaslToken(r) };
    case 106:
      return { type, request: readAddWatchRequest(r) };
    case 11:
    case -11:
    case 107:
      return { type };
    default:
      throw new UnknownOpCodeError(type);
  }
}

/**
 * Reads the op list of a multi (14) or multiRead (22). Like MultiOperationRecord.deserialize, the list ends
 * at the first header with `done == true` (its type and err are not looked at).
 *
 * Header types are kept as sent. Note for the server: ZooKeeper rebuilds multi creates with
 * `Op.create(path, data, acl, flags[, ttl])`, so the effective op is chosen by the *flags*, not by the header:
 * a create2 (15) header becomes a plain create and its result is a type-1 CreateResult (path only); flags
 * 4 give createContainer and flags 5/6 createTTL (both answered with a type-15 result carrying a Stat).
 */
export function readMultiOps(multiType: 14 | 22, r: JuteReader): MultiOp[] {
  const ops: MultiOp[] = [];
  let kind: 'write' | 'read' | undefined;
  for (;;) {
    const type = r.readInt();
    const done = r.readBool();
    r.readInt(); // err, always -1 from clients; unused
    if (done) break;
    let op: MultiOp;
    let opKind: 'write' | 'read';
    switch (type) {
      case 1:
      case 15:
      case 19:
        op = { type, request: readCreateRequest(r) };
        opKind = 'write';
        break;
      case 21:
        op = { type, request: readCreateTTLRequest(r) };
        opKind = 'write';
        break;
      case 2:
        op = { type, request: readDeleteRequest(r) };
        opKind = 'write';
        break;
      case 5:
        op = { type, request: readSetDataRequest(r) };
        opKind = 'write';
        break;
      case 13:
        op = { type, request: readCheckVersionRequest(r) };
        opKind = 'write';
        break;
      case 4:
      case 8:
        op = { type, request: readPathWatchRequest(r) };
        opKind = 'read';
        break;
      default:
        throw new MultiKindError(multiType, type, 'invalid-op');
    }
    if (kind === undefined) kind = opKind;
    else if (kind !== opKind) throw new MultiKindError(multiType, type, 'mixed-kinds');
    ops.push(op);
  }
  if (kind !== undefined && kind !== (multiType === 14 ? 'write' : 'read')) {
    throw new MultiKindError(multiType, ops[0]!.type, 'wrong-kind');
  }
  return ops;
}

function writeMultiOps(w: JuteWriter, ops: readonly MultiOp[]): void {
  for (const op of ops) {
    writeMultiHeader(w, op.type, false, -1);
    switch (op.type) {
      case 1:
      case 15:
      case 19:
        writeCreateRequest(w, op.request);
        break;
      case 21:
        writeCreateTTLRequest(w, op.request);
        break;
      case 2:
        writeDeleteRequest(w, op.request);
        break;
      case 5:
        writeSetDataRequest(w, op.request);
        break;
      case 13:
        writeCheckVersionRequest(w, op.request);
        break;
      case 4:
      case 8:
        writePathWatchRequest(w, op.request);
        break;
    }
  }
  writeMultiHeader(w, -1, true, -1);
}

/** Writes the body of a request (no header, no frame). */
export function writeRequestBody(w: JuteWriter, req: ClientRequest): void {
  switch (req.type) {
    case 1:
    case 15:
    case 19:
      writeCreateRequest(w, req.request);
      break;
    case 21:
      writeCreateTTLRequest(w, req.request);
      break;
    case 2:
      writeDeleteRequest(w, req.request);
      break;
    case 3:
    case 4:
    case 8:
    case 12:
      writePathWatchRequest(w, req.request);
      break;
    case 5:
      writeSetDataRequest(w, req.request);
      break;
    case 6:
    case 9:
    case 103:
    case 104:
      writePathRequest(w, req.request);
      break;
    case 20:
      w.writeRaw(Buffer.from(req.request.path, 'utf8'));
      break;
    case 7:
      writeSetACLRequest(w, req.request);
      break;
    case 13:
      writeCheckVersionRequest(w, req.request);
      break;
    case 14:
    case 22:
      writeMultiOps(w, req.ops);
      break;
    case 16:
      writeReconfigRequest(w, req.request);
      break;
    case 17:
    case 18:
      writeWatchesRequest(w, req.request);
      break;
    case 100:
      writeAuthPacket(w, req.request);
      break;
    case 101:
      writeSetWatches(w, req.request);
      break;
    case 105:
      writeSetWatches2(w, req.request);
      break;
    case 102:
      writeSaslToken(w, req.request);
      break;
    case 106:
      writeAddWatchRequest(w, req.request);
      break;
    case 11:
    case -11:
    case 107:
      break;
  }
}

/**
 * Client side: appends one complete frame `[len][RequestHeader{xid, type}][body]`.
 * Conventional xids: ping -2, auth -4, setWatches(2) -8 (see `Xid`).
 */
export function encodeRequest(w: JuteWriter, xid: number, req: ClientRequest): void {
  const at = w.startFrame();
  writeRequestHeader(w, xid, req.type);
  writeRequestBody(w, req);
  w.endFrame(at);
}

// ---------------------------------------------------------------- responses

/**
 * A response body, discriminated on `type` = the op code of the request it answers.
 * Only sent when ReplyHeader.err == 0; the last member lists the ops whose reply is the header alone.
 */
export type OpResponse =
  | { type: 1; path: string }
  /** create2, createContainer, createTTL: Create2Response */
  | { type: 15 | 19 | 21; path: string; stat: Stat }
  /** exists, setData, setACL */
  | { type: 3 | 5 | 7; stat: Stat }
  /** getData; reconfig (16) answers with the new config and the Stat of /zookeeper/config */
  | { type: 4 | 16; data: Buffer | null; stat: Stat }
  | { type: 6; acl: ACL[]; stat: Stat }
  | { type: 8; children: string[] }
  | { type: 12; children: string[]; stat: Stat }
  /** sync */
  | { type: 9; path: string }
  /** multi, multiRead */
  | { type: 14 | 22; results: MultiResult[] }
  /** sasl: SetSASLResponse */
  | { type: 102; token: Buffer | null }
  | { type: 103; ephemerals: string[] }
  | { type: 104; totalNumber: number }
  /** addWatch: ErrorResponse{0} */
  | { type: 106; err: number }
  | { type: 107; clientInfo: ClientInfo[] }
  /** no body: delete, ping, check, deleteContainer, checkWatches, removeWatches, auth, setWatches(2), closeSession */
  | { type: 2 | 11 | 13 | 17 | 18 | 20 | 100 | 101 | 105 | -11 };

/** Writes the body of a response (nothing for header-only replies). */
export function writeResponseBody(w: JuteWriter, resp: OpResponse): void {
  switch (resp.type) {
    case 1:
      writeCreateResponse(w, resp);
      break;
    case 15:
    case 19:
    case 21:
      writeCreate2Response(w, resp);
      break;
    case 3:
    case 5:
    case 7:
      writeStatResponse(w, resp);
      break;
    case 4:
    case 16:
      writeGetDataResponse(w, resp);
      break;
    case 6:
      writeGetACLResponse(w, resp);
      break;
    case 8:
      writeGetChildrenResponse(w, resp);
      break;
    case 12:
      writeGetChildren2Response(w, resp);
      break;
    case 9:
      writeSyncResponse(w, resp);
      break;
    case 14:
    case 22:
      writeMultiResponse(w, resp.results);
      break;
    case 102:
      writeSaslToken(w, resp);
      break;
    case 103:
      writeGetEphemeralsResponse(w, resp);
      break;
    case 104:
      writeGetAllChildrenNumberResponse(w, resp);
      break;
    case 106:
      writeErrorResponse(w, resp);
      break;
    case 107:
      writeWhoAmIResponse(w, resp);
      break;
    default:
      break;
  }
}

/**
 * Client side: decodes the body of a successful (err == 0) reply to a request of op `type`.
 * Throws JuteDecodeError on malformed input and UnknownOpCodeError for an op with no known reply.
 */
export function decodeResponse(type: number, r: JuteReader): OpResponse {
  switch (type) {
    case 1:
      return { type, ...readCreateResponse(r) };
    case 15:
    case 19:
    case 21:
      return { type, ...readCreate2Response(r) };
    case 3:
    case 5:
    case 7:
      return { type, ...readStatResponse(r) };
    case 4:
    case 16:
      return { type, ...readGetDataResponse(r) };
    case 6:
      return { type, ...readGetACLResponse(r) };
    case 8:
      return { type, ...readGetChildrenResponse(r) };
    case 12:
      return { type, ...readGetChildren2Response(r) };
    case 9:
      return { type, ...readSyncResponse(r) };
    case 14:
    case 22:
      return { type, results: readMultiResponse(r) };
    case 102:
      return { type, ...readSaslToken(r) };
    case 103:
      return { type, ...readGetEphemeralsResponse(r) };
    case 104:
      return { type, ...readGetAllChildrenNumberResponse(r) };
    case 106:
      return { type, ...readErrorResponse(r) };
    case 107:
      return { type, ...readWhoAmIResponse(r) };
    case 2:
    case 11:
    case 13:
    case 17:
    case 18:
    case 20:
    case 100:
    case 101:
    case 105:
    case -11:
      return { type };
    default:
      throw new UnknownOpCodeError(type);
  }
}

// ---------------------------------------------------------------- multi responses

function writeStringItem(w: JuteWriter, s: string): void {
  w.writeString(s);
}
function readStringItem(r: JuteReader): string {
  return r.readStringNonNull();
}

/**
 * MultiResponse: per result a MultiHeader{type, false, err} (err = the code for an error result, else 0)
 * and its body, ended by {-1, true, -1}. A failed multi is still a reply with header err 0 whose results
 * are all `{type: -1, err}`: 0 before the failing op, its code at it, -2 RuntimeInconsistency after it.
 */
export function writeMultiResponse(w: JuteWriter, results: readonly MultiResult[]): void {
  for (const res of results) {
    switch (res.type) {
      case 1:
        writeMultiHeader(w, 1, false, 0);
        w.writeString(res.path);
        break;
      case 15:
        writeMultiHeader(w, 15, false, 0);
        w.writeString(res.path);
        writeStat(w, res.stat);
        break;
      case 2:
      case 13:
        writeMultiHeader(w, res.type, false, 0);
        break;
      case 5:
        writeMultiHeader(w, 5, false, 0);
        writeStat(w, res.stat);
        break;
      case 4:
        writeMultiHeader(w, 4, false, 0);
        w.writeBuffer(res.data);
        writeStat(w, res.stat);
        break;
      case 8:
        writeMultiHeader(w, 8, false, 0);
        w.writeVector(res.children, writeStringItem);
        break;
      case -1:
        writeMultiHeader(w, -1, false, res.err);
        w.writeInt(res.err);
        break;
    }
  }
  writeMultiHeader(w, -1, true, -1);
}

/** Reads a MultiResponse (as MultiResponse.deserialize: stops at done, rejects unknown result types). */
export function readMultiResponse(r: JuteReader): MultiResult[] {
  const results: MultiResult[] = [];
  for (;;) {
    const h = readMultiHeader(r);
    if (h.done) return results;
    switch (h.type) {
      case 1:
        results.push({ type: 1, path: r.readStringNonNull() });
        break;
      case 15: {
        const path = r.readStringNonNull();
        results.push({ type: 15, path, stat: readStat(r) });
        break;
      }
      case 2:
      case 13:
        results.push({ type: h.type });
        break;
      case 5:
        results.push({ type: 5, stat: readStat(r) });
        break;
      case 4: {
        const data = r.readBuffer();
        results.push({ type: 4, data, stat: readStat(r) });
        break;
      }
      case 8:
        results.push({ type: 8, children: r.readVector(readStringItem) ?? [] });
        break;
      case -1:
        results.push({ type: -1, err: r.readInt() });
        break;
      default:
        throw new JuteDecodeError(`invalid result type ${h.type} in MultiResponse`);
    }
  }
}
