/**
 * Differential harness: runs one scripted sequence of raw protocol steps against two servers and compares
 * what each session received, step by step: reply headers (err, zxid), decoded bodies, multi per-op results,
 * watch notifications and connection closes, in arrival order.
 *
 * Targets: B is always Apache ZooKeeper 3.8 (the reference). A is chosen by COMPAT_TARGET_A:
 *   - `zookeeper` (current default): a second Apache ZooKeeper, to validate the harness itself;
 *   - `paddock`: PADDOCK_CMD if set (a shell command with {port}, {dataDir}, {config} placeholders, e.g.
 *     `node apps/cli/bin/paddock.js server --port {port} --data-dir {dataDir}`), else startPaddock()
 *     from test/support/paddock.ts (the built CLI with a zoo.cfg).
 *
 * Normalisation (what may legitimately differ between two correct servers):
 *   - session ids are replaced by the script's session names, also where they appear as ephemeralOwner;
 *   - ctime/mtime are dropped; passwords are reduced to their length;
 *   - zxids are made relative to the zxid seen at the start of the script (`+N`), so a script does not depend
 *     on what earlier scripts did; zxids below that base print as `@N`; -1 stays -1 (3.8 notifications);
 *   - getChildren lists are sorted (ZooKeeper returns them in HashSet order; the order is unspecified).
 * Everything else is compared exactly, including the zxids consumed by failed writes.
 *
 * After every step each open session sends a ping and waits for its reply (or for the socket to close):
 * ZooKeeper queues watch events before any later reply on the same connection, so this is a barrier that
 * makes "which events did each session get during this step" deterministic.
 */
import { expect } from '@jest/globals';
import {
  CONTAINER_EPHEMERAL_OWNER,
  errorName,
  type ACL,
  type ClientRequest,
  type MultiOp,
  type MultiResult,
  type OpResponse,
  type Stat,
} from '@paddock/protocol';
import { RawClient, type RawMessage, type RawReply } from '../support/raw-client.js';
import { startApacheZooKeeper } from '../support/apache-zookeeper.js';
import { startPaddock, REPO_ROOT } from '../support/paddock.js';
import { spawnManaged, waitForRuok, type ManagedProcess } from '../support/processes.js';
import { baseZooCfg, launchOnFreePort, prepareServerDirs, writeConfig, type ServerHandle } from '../support/server-handle.js';
import { LOOPBACK } from '../support/ports.js';

// ---------------------------------------------------------------- targets

export interface CompatTarget {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

export type TargetKind = 'zookeeper' | 'paddock';

export function targetAKind(): TargetKind {
  const raw = (process.env.COMPAT_TARGET_A ?? 'zookeeper').trim().toLowerCase();
  if (raw === 'paddock') return 'paddock';
  if (raw === 'zookeeper' || raw === 'zk' || raw === 'apache') return 'zookeeper';
  throw new Error(`COMPAT_TARGET_A must be paddock or zookeeper, got ${JSON.stringify(process.env.COMPAT_TARGET_A)}`);
}

const TICK_MS = 2000;

function fromHandle(name: string, h: ServerHandle): CompatTarget {
  return { name, host: h.host, port: h.port, process: h.process, stop: () => h.stop() };
}

async function startPaddockFromCmd(template: string): Promise<CompatTarget> {
  return launchOnFreePort(undefined, async (port) => {
    const dirs = prepareServerDirs('paddock-compat', undefined);
    writeConfig(dirs.configFile, baseZooCfg({ tickTime: TICK_MS, dataDir: dirs.dataDir, port, host: LOOPBACK }));
    const cmd = template.replaceAll('{port}', String(port)).replaceAll('{dataDir}', dirs.dataDir).replaceAll('{config}', dirs.configFile);
    const proc = spawnManaged({ name: `paddock-${port}`, command: '/bin/sh', args: ['-c', `exec ${cmd}`], cwd: REPO_ROOT, env: { NODE_OPTIONS: undefined } });
    try {
      await waitForRuok(LOOPBACK, port, { timeoutMs: 20_000, process: proc });
    } catch (e) {
      await proc.kill();
      dirs.cleanup();
      throw e;
    }
    return {
      name: 'paddock',
      host: LOOPBACK,
      port,
      process: proc,
      async stop() {
        await proc.stop({ timeoutMs: 5_000 });
        dirs.cleanup();
      },
    };
  });
}

/** Target A (COMPAT_TARGET_A) and target B (always Apache ZooKeeper), started in parallel. */
export async function startTargets(): Promise<[CompatTarget, CompatTarget]> {
  const kind = targetAKind();
  const a: Promise<CompatTarget> =
    kind === 'zookeeper'
      ? startApacheZooKeeper({ tickTime: TICK_MS }).then((h) => fromHandle('zookeeper-A', h))
      : process.env.PADDOCK_CMD
        ? startPaddockFromCmd(process.env.PADDOCK_CMD)
        : startPaddock({ tickTime: TICK_MS, extraConfig: { 'zookeeper.extendedTypesEnabled': true } }).then((h) => fromHandle('paddock', h));
  const b = startApacheZooKeeper({ tickTime: TICK_MS }).then((h) => fromHandle('zookeeper-B', h));
  const settled = await Promise.allSettled([a, b]);
  if (settled[0].status === 'rejected' || settled[1].status === 'rejected') {
    for (const s of settled) if (s.status === 'fulfilled') await s.value.stop();
    throw settled[0].status === 'rejected' ? settled[0].reason : (settled[1] as PromiseRejectedResult).reason;
  }
  return [settled[0].value, settled[1].value];
}

// ---------------------------------------------------------------- scripts

/** Reply codes after which ZooKeeper closes the connection (Unimplemented, AuthFailed). */
const CLOSING_ERRORS = new Set([-6, -115]);

export interface StepExpectation {
  /** Expected ReplyHeader.err of the step's reply (checked on target B, the reference). */
  err?: number;
  /** The connection must be closed by the server after this step. */
  closed?: boolean;
  /** No reply is expected: wait this long (ms) for one and record "no reply". */
  noReplyWithinMs?: number;
}

/**
 * Marks a step where target A may legitimately differ from ZooKeeper 3.8 (e.g. behaviour fixed in a later
 * release). The step and every later message of its session are left out of the comparison; B's
 * expectations still apply. The text says why.
 */
export type Divergence = string;

export type Step =
  /** New session (or, with `reattach`, reconnect to the session this name had before). */
  | { kind: 'connect'; session: string; timeOut?: number; omitReadOnly?: boolean; reattach?: boolean }
  /** Send and wait for the reply (or the close). */
  | { kind: 'request'; session: string; req: ClientRequest; xid?: number; expect?: StepExpectation; divergent?: Divergence }
  /** Send without waiting: the reply appears among the session's messages of this or a later step. */
  | { kind: 'send'; session: string; req: ClientRequest; xid?: number }
  /** closeSession and wait for the server to close the socket. */
  | { kind: 'close'; session: string }
  /** Write raw bytes (a hand-made frame); replies show up among the session's messages. */
  | { kind: 'raw'; session: string; bytes: Buffer; expect?: StepExpectation; divergent?: Divergence }
  /** Drop the socket without closing the session. */
  | { kind: 'drop'; session: string }
  | { kind: 'sleep'; ms: number };

export interface Script {
  name: string;
  /** Subtree the script works in; deleted (not compared) after the run. */
  root: string;
  steps: Step[];
}

export const OPEN_ACL: ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

const data = (d: string | null | undefined): Buffer | null => (d === null || d === undefined ? null : Buffer.from(d, 'utf8'));

/** ClientRequest builders. */
export const op = {
  create: (path: string, d: string | null = '', flags = 0, acl: ACL[] = OPEN_ACL): ClientRequest => ({ type: 1, request: { path, data: data(d), acl, flags } }),
  create2: (path: string, d: string | null = '', flags = 0, acl: ACL[] = OPEN_ACL): ClientRequest => ({ type: 15, request: { path, data: data(d), acl, flags } }),
  createContainer: (path: string, d: string | null = '', acl: ACL[] = OPEN_ACL): ClientRequest => ({ type: 19, request: { path, data: data(d), acl, flags: 4 } }),
  createTTL: (path: string, d: string | null, flags: number, ttl: bigint, acl: ACL[] = OPEN_ACL): ClientRequest => ({
    type: 21,
    request: { path, data: data(d), acl, flags, ttl },
  }),
  delete: (path: string, version = -1): ClientRequest => ({ type: 2, request: { path, version } }),
  exists: (path: string, watch = false): ClientRequest => ({ type: 3, request: { path, watch } }),
  getData: (path: string, watch = false): ClientRequest => ({ type: 4, request: { path, watch } }),
  setData: (path: string, d: string | null, version = -1): ClientRequest => ({ type: 5, request: { path, data: data(d), version } }),
  getACL: (path: string): ClientRequest => ({ type: 6, request: { path } }),
  setACL: (path: string, acl: ACL[], version = -1): ClientRequest => ({ type: 7, request: { path, acl, version } }),
  getChildren: (path: string, watch = false): ClientRequest => ({ type: 8, request: { path, watch } }),
  sync: (path: string): ClientRequest => ({ type: 9, request: { path } }),
  ping: (): ClientRequest => ({ type: 11 }),
  getChildren2: (path: string, watch = false): ClientRequest => ({ type: 12, request: { path, watch } }),
  check: (path: string, version: number): ClientRequest => ({ type: 13, request: { path, version } }),
  multi: (...ops: MultiOp[]): ClientRequest => ({ type: 14, ops }),
  multiRead: (...ops: MultiOp[]): ClientRequest => ({ type: 22, ops }),
  checkWatches: (path: string, type: number): ClientRequest => ({ type: 17, request: { path, type } }),
  removeWatches: (path: string, type: number): ClientRequest => ({ type: 18, request: { path, type } }),
  auth: (scheme: string, auth: string): ClientRequest => ({ type: 100, request: { type: 0, scheme, auth: Buffer.from(auth) } }),
  getEphemerals: (prefix: string): ClientRequest => ({ type: 103, request: { path: prefix } }),
  getAllChildrenNumber: (path: string): ClientRequest => ({ type: 104, request: { path } }),
  addWatch: (path: string, mode: number): ClientRequest => ({ type: 106, request: { path, mode } }),
  whoAmI: (): ClientRequest => ({ type: 107 }),
};

/** MultiOp builders. */
export const mop = {
  create: (path: string, d: string | null = '', flags = 0, acl: ACL[] = OPEN_ACL, type: 1 | 15 | 19 = 1): MultiOp => ({ type, request: { path, data: data(d), acl, flags } }),
  createTTL: (path: string, d: string | null, flags: number, ttl: bigint, acl: ACL[] = OPEN_ACL): MultiOp => ({ type: 21, request: { path, data: data(d), acl, flags, ttl } }),
  delete: (path: string, version = -1): MultiOp => ({ type: 2, request: { path, version } }),
  setData: (path: string, d: string | null, version = -1): MultiOp => ({ type: 5, request: { path, data: data(d), version } }),
  check: (path: string, version: number): MultiOp => ({ type: 13, request: { path, version } }),
  getData: (path: string): MultiOp => ({ type: 4, request: { path, watch: false } }),
  getChildren: (path: string): MultiOp => ({ type: 8, request: { path, watch: false } }),
};

/** Step builders. */
export const step = {
  connect: (session: string, opts: { timeOut?: number; omitReadOnly?: boolean; reattach?: boolean } = {}): Step => ({ kind: 'connect', session, ...opts }),
  req: (session: string, req: ClientRequest, expectation?: StepExpectation, xid?: number): Step => ({ kind: 'request', session, req, expect: expectation, xid }),
  /** A request whose outcome may differ on target A (see {@link Divergence}). */
  divergent: (why: Divergence, session: string, req: ClientRequest, expectation?: StepExpectation): Step => ({ kind: 'request', session, req, expect: expectation, divergent: why }),
  send: (session: string, req: ClientRequest, xid?: number): Step => ({ kind: 'send', session, req, xid }),
  close: (session: string): Step => ({ kind: 'close', session }),
  drop: (session: string): Step => ({ kind: 'drop', session }),
  sleep: (ms: number): Step => ({ kind: 'sleep', ms }),
  raw: (session: string, bytes: Buffer, expectation?: StepExpectation, divergent?: Divergence): Step => ({ kind: 'raw', session, bytes, expect: expectation, divergent }),
};

/** A hand-made request frame: RequestHeader{xid, type} followed by `body`. */
export function rawFrame(xid: number, type: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(12 + body.length);
  b.writeInt32BE(8 + body.length, 0);
  b.writeInt32BE(xid, 4);
  b.writeInt32BE(type, 8);
  body.copy(b, 12);
  return b;
}

// ---------------------------------------------------------------- transcript

/** What one step produced on one target, normalised. */
export interface TranscriptEntry {
  step: number;
  desc: string;
  /** Set on steps marked divergent: the reason. */
  divergent?: string;
  /** The step's own reply (request / close), or the ConnectResponse for connect. */
  result?: unknown;
  /** Everything else each session received during the step (events, replies to `send`, closes). */
  received: Record<string, unknown[]>;
}

export interface Transcript {
  target: string;
  script: string;
  entries: TranscriptEntry[];
  /** Expectation failures (only meaningful for the reference target). */
  violations: string[];
  /**
   * Expectation failures on steps marked divergent: they bind the reference (B) only, since target A may
   * legitimately answer such a step differently (see {@link Divergence}).
   */
  divergentViolations?: string[];
}

const REQUEST_TIMEOUT_MS = 10_000;
/** How long a raw frame may take to be answered (or to get the connection closed). */
const RAW_REPLY_WAIT_MS = 2_000;
/** How long to wait for the server to close a connection it is expected to close. */
const CLOSE_WAIT_MS = 3_000;
const DEFAULT_SESSION_TIMEOUT = 10_000;

class Normaliser {
  baseZxid = 0;
  readonly sessionNames = new Map<bigint, string>();

  zxid(z: number): string | number {
    if (z === -1) return -1;
    return z >= this.baseZxid ? `+${z - this.baseZxid}` : `@${z}`;
  }

  owner(o: bigint): string {
    if (o === 0n) return '0';
    const name = this.sessionNames.get(o);
    if (name !== undefined) return `session:${name}`;
    if (o === CONTAINER_EPHEMERAL_OWNER) return 'container';
    if (BigInt.asUintN(64, o) >> 56n === 0xffn) return `ttl:${BigInt.asUintN(64, o) & 0xffffffffffn}`;
    return `0x${BigInt.asUintN(64, o).toString(16)}`;
  }

  stat(s: Stat): Record<string, unknown> {
    return {
      czxid: this.zxid(s.czxid),
      mzxid: this.zxid(s.mzxid),
      pzxid: this.zxid(s.pzxid),
      version: s.version,
      cversion: s.cversion,
      aversion: s.aversion,
      ephemeralOwner: this.owner(s.ephemeralOwner),
      dataLength: s.dataLength,
      numChildren: s.numChildren,
    };
  }

  data(d: Buffer | null): string | null {
    if (d === null) return null;
    const text = d.toString('utf8');
    return /^[\x20-\x7e\n]*$/.test(text) ? text : `hex:${d.toString('hex')}`;
  }

  multiResult(r: MultiResult): Record<string, unknown> {
    switch (r.type) {
      case -1:
        return { type: -1, err: errorName(r.err) };
      case 1:
        return { type: 1, path: r.path };
      case 15:
        return { type: 15, path: r.path, stat: this.stat(r.stat) };
      case 5:
        return { type: 5, stat: this.stat(r.stat) };
      case 4:
        return { type: 4, data: this.data(r.data), stat: this.stat(r.stat) };
      case 8:
        return { type: 8, children: [...r.children].sort() };
      default:
        return { type: r.type };
    }
  }

  body(b: OpResponse): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(b)) {
      if (k === 'stat') out[k] = this.stat(v as Stat);
      else if (k === 'data' || k === 'token') out[k] = this.data(v as Buffer | null);
      else if (k === 'children' || k === 'ephemerals') out[k] = [...(v as string[])].sort();
      else if (k === 'results') out[k] = (v as MultiResult[]).map((r) => this.multiResult(r));
      else out[k] = v;
    }
    return out;
  }

  reply(r: RawReply): Record<string, unknown> {
    const out: Record<string, unknown> = { xid: r.xid, zxid: this.zxid(r.zxid), err: errorName(r.err) };
    if (r.type !== undefined && r.type !== 11 && r.type !== -11) out.op = r.type;
    if (r.body && Object.keys(r.body).length > 1) out.body = this.body(r.body);
    if (r.decodeError) out.decodeError = r.decodeError;
    if (r.type === undefined && r.raw.length > 16) out.bodyHex = r.raw.subarray(16).toString('hex');
    // a body on an error reply would be a protocol bug: make it visible
    if (r.err !== 0 && r.raw.length > 16) out.trailingBytes = r.raw.length - 16;
    return out;
  }

  message(m: RawMessage): unknown {
    switch (m.kind) {
      case 'reply':
        return { reply: this.reply(m) };
      case 'event':
        return { event: { zxid: this.zxid(m.zxid), type: m.event.type, state: m.event.state, path: m.event.path } };
      case 'close':
        return 'closed';
    }
  }
}

interface SessionState {
  client: RawClient;
  /** messages[] index up to which this session's messages were attributed to a step */
  seen: number;
  sessionId: bigint;
  passwd: Buffer;
  closedCleanly: boolean;
  /** Got a reply after which the server closes the connection: no more barrier pings. */
  closing: boolean;
}

function describeStep(s: Step): string {
  switch (s.kind) {
    case 'connect':
      return `${s.session}: ${s.reattach ? 'reattach' : 'connect'}${s.omitReadOnly ? ' (no readOnly byte)' : ''}`;
    case 'request':
    case 'send': {
      const body = 'request' in s.req ? JSON.stringify(s.req.request, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v?.type === 'Buffer' ? Buffer.from(v.data).toString() : v)) : 'ops' in s.req ? `${s.req.ops.length} ops ${JSON.stringify(s.req.ops.map((o) => [o.type, o.request.path]))}` : '';
      return `${s.session}: ${s.kind === 'send' ? 'send ' : ''}op ${s.req.type}${s.xid !== undefined ? ` xid ${s.xid}` : ''} ${body}`;
    }
    case 'close':
    case 'drop':
      return `${s.session}: ${s.kind}`;
    case 'raw':
      return `${s.session}: raw ${s.bytes.toString('hex')}`;
    case 'sleep':
      return `sleep ${s.ms}`;
  }
}

/** Runs a script against one target and returns its normalised transcript. Never leaves sessions open. */
export async function runScript(target: CompatTarget, script: Script): Promise<Transcript> {
  const norm = new Normaliser();
  const sessions = new Map<string, SessionState>();
  const entries: TranscriptEntry[] = [];
  const violations: string[] = [];
  const divergentViolations: string[] = [];
  let baseTaken = false;

  const connect = async (name: string, opts: { timeOut?: number; omitReadOnly?: boolean; reattach?: boolean }) => {
    const prev = sessions.get(name);
    const client = await RawClient.connect({
      host: target.host,
      port: target.port,
      timeOut: opts.timeOut ?? DEFAULT_SESSION_TIMEOUT,
      ...(opts.omitReadOnly ? { readOnly: undefined } : {}),
      ...(opts.reattach && prev ? { sessionId: prev.sessionId, passwd: prev.passwd } : {}),
    });
    prev?.client.destroy();
    const st: SessionState = { client, seen: 0, sessionId: client.session.sessionId, passwd: client.session.passwd, closedCleanly: false, closing: false };
    if (client.session.sessionId !== 0n) norm.sessionNames.set(client.session.sessionId, name);
    sessions.set(name, st);
    if (!baseTaken) {
      // the zxid after this session's createSession is the script's origin
      const pong = await client.ping(REQUEST_TIMEOUT_MS);
      if (pong) {
        norm.baseZxid = pong.zxid;
        baseTaken = true;
      }
    }
    return client;
  };

  /** After a reply that makes ZooKeeper close the connection: wait for the close, and ping that session no more. */
  const expectClosing = async (st: SessionState) => {
    st.closing = true;
    await st.client.waitClosed(CLOSE_WAIT_MS);
  };

  const barrier = async () => {
    for (const name of [...sessions.keys()].sort()) {
      const st = sessions.get(name)!;
      if (st.client.isClosed || st.closing) continue;
      try {
        await st.client.ping(REQUEST_TIMEOUT_MS);
      } catch (e) {
        violations.push(`barrier ping on ${name}: ${(e as Error).message}`);
      }
    }
  };

  try {
    for (let i = 0; i < script.steps.length; i++) {
      const s = script.steps[i]!;
      const entry: TranscriptEntry = { step: i, desc: describeStep(s), received: {} };
      const violationsBefore = violations.length;
      if ((s.kind === 'request' || s.kind === 'raw') && s.divergent) entry.divergent = s.divergent;
      let own: RawMessage | undefined;
      const session = 'session' in s ? sessions.get(s.session) : undefined;
      if (s.kind !== 'connect' && s.kind !== 'sleep' && !session) throw new Error(`script ${script.name} step ${i}: no session ${s.session}`);
      switch (s.kind) {
        case 'connect': {
          const c = await connect(s.session, s);
          entry.result = {
            connect: {
              timeOut: c.session.timeOut,
              session: c.session.sessionId === 0n ? '0' : norm.owner(c.session.sessionId),
              passwdLength: c.session.passwd.length,
              readOnly: c.session.readOnly,
            },
          };
          break;
        }
        case 'request': {
          const st = session!;
          const wait = s.expect?.noReplyWithinMs ?? REQUEST_TIMEOUT_MS;
          let reply: RawReply | undefined;
          try {
            reply = await st.client.request(s.req, s.xid, wait);
          } catch {
            entry.result = `no reply within ${wait} ms`;
            if (s.expect?.noReplyWithinMs === undefined) violations.push(`step ${i} (${entry.desc}): no reply within ${wait} ms`);
            break;
          }
          if (reply === undefined) {
            entry.result = 'closed before reply';
            await st.client.closed;
            break;
          }
          own = reply;
          entry.result = norm.reply(reply);
          if (s.expect?.noReplyWithinMs !== undefined) violations.push(`step ${i} (${entry.desc}): expected no reply, got ${errorName(reply.err)}`);
          if (s.expect?.err !== undefined && reply.err !== s.expect.err) {
            violations.push(`step ${i} (${entry.desc}): expected err ${errorName(s.expect.err)}, got ${errorName(reply.err)}`);
          }
          if (CLOSING_ERRORS.has(reply.err)) await expectClosing(st);
          break;
        }
        case 'send':
          session!.client.send(s.req, s.xid);
          break;
        case 'raw': {
          const st = session!;
          const from = st.client.messages.length;
          st.client.sendRaw(s.bytes);
          const xid = s.bytes.length >= 8 ? s.bytes.readInt32BE(4) : undefined;
          const first = await st.client.waitForMessage((m) => m.kind === 'close' || (m.kind === 'reply' && m.xid === xid), from, RAW_REPLY_WAIT_MS);
          if (first?.kind === 'reply') {
            if (s.expect?.err !== undefined && first.err !== s.expect.err) {
              violations.push(`step ${i} (${entry.desc}): expected a reply with err ${errorName(s.expect.err)}, got ${errorName(first.err)}`);
            }
            if (CLOSING_ERRORS.has(first.err)) await expectClosing(st);
          } else if (s.expect?.err !== undefined) {
            violations.push(`step ${i} (${entry.desc}): expected a reply with err ${errorName(s.expect.err)}, got ${first ? 'a close' : 'nothing'}`);
          }
          break;
        }
        case 'close': {
          const st = session!;
          const reply = await st.client.close(REQUEST_TIMEOUT_MS);
          own = reply;
          st.closedCleanly = true;
          entry.result = reply ? norm.reply(reply) : 'closed before reply';
          break;
        }
        case 'drop':
          session!.client.destroy();
          await session!.client.closed;
          break;
        case 'sleep':
          await new Promise((r) => setTimeout(r, s.ms));
          break;
      }
      if ((s.kind === 'request' || s.kind === 'raw') && s.expect?.closed && session) {
        const closed = await session.client.waitClosed(CLOSE_WAIT_MS);
        if (!closed) violations.push(`step ${i} (${entry.desc}): expected the server to close the connection`);
      }
      if (entry.divergent !== undefined) divergentViolations.push(...violations.splice(violationsBefore));
      await barrier();
      for (const [name, st] of [...sessions.entries()].sort(([x], [y]) => x.localeCompare(y))) {
        const msgs = st.client.messages.slice(st.seen);
        st.seen = st.client.messages.length;
        // the step's own reply is listed as '<reply>' so its position among the events stays visible
        const shown = msgs
          .filter((m) => !(m.kind === 'reply' && m.xid === -2)) // barrier pings
          .filter((m) => !((s.kind === 'drop' || s.kind === 'close') && s.session === name && m.kind === 'close')) // closes we asked for
          .map((m) => (m === own ? '<reply>' : norm.message(m)));
        if (shown.length > 0 && !(shown.length === 1 && shown[0] === '<reply>')) entry.received[name] = shown;
      }
      entries.push(entry);
    }
  } finally {
    await cleanup(target, script, sessions);
  }
  return { target: target.name, script: script.name, entries, violations, divergentViolations };
}

/** Closes every session the script opened (reattaching dropped ones) and deletes the script's subtree. */
async function cleanup(target: CompatTarget, script: Script, sessions: Map<string, SessionState>): Promise<void> {
  for (const st of sessions.values()) {
    try {
      if (!st.client.isClosed) {
        await st.client.close(REQUEST_TIMEOUT_MS);
      } else if (!st.closedCleanly && st.sessionId !== 0n) {
        const c = await RawClient.connect({ host: target.host, port: target.port, sessionId: st.sessionId, passwd: st.passwd, timeOut: DEFAULT_SESSION_TIMEOUT });
        if (c.session.timeOut > 0) await c.close(REQUEST_TIMEOUT_MS);
        else c.destroy();
      }
    } catch {
      st.client.destroy();
    }
  }
  const c = await RawClient.connect({ host: target.host, port: target.port, timeOut: DEFAULT_SESSION_TIMEOUT });
  try {
    await c.request(op.auth('digest', 'compat:cleanup')); // harmless; most script ACLs are open
    await deleteTree(c, script.root);
  } finally {
    await c.close(REQUEST_TIMEOUT_MS).catch(() => c.destroy());
  }
}

export async function deleteTree(c: RawClient, path: string): Promise<void> {
  const r = await c.request(op.getChildren(path), undefined, REQUEST_TIMEOUT_MS);
  if (r?.err === 0 && r.body?.type === 8) {
    for (const child of r.body.children) await deleteTree(c, `${path === '/' ? '' : path}/${child}`);
  }
  await c.request(op.delete(path), undefined, REQUEST_TIMEOUT_MS);
}

// ---------------------------------------------------------------- comparison

/** One line per step, for reading a reference transcript (COMPAT_PRINT=1). */
export function formatTranscript(t: Transcript): string {
  return [
    `== ${t.script} on ${t.target}`,
    ...t.entries.map((e) => `#${e.step} ${e.desc}\n    -> ${JSON.stringify(e.result)}${Object.keys(e.received).length ? `\n    received ${JSON.stringify(e.received)}` : ''}`),
  ].join('\n');
}

function show(v: unknown): string {
  return JSON.stringify(v, null, 1);
}

/**
 * Compares two transcripts step by step; throws at the first difference with the step, both sides and the
 * preceding steps for context.
 */
export function compareTranscripts(a: Transcript, b: Transcript): void {
  const n = Math.max(a.entries.length, b.entries.length);
  /** sessions with a divergent step so far: their later messages are not compared */
  const skipped = new Set<string>();
  const strip = (e: TranscriptEntry | undefined): TranscriptEntry | undefined => {
    if (!e) return e;
    const received = Object.fromEntries(Object.entries(e.received).filter(([name]) => !skipped.has(name)));
    return { ...e, received };
  };
  for (let i = 0; i < n; i++) {
    const ea = a.entries[i];
    const eb = b.entries[i];
    const divergent = eb?.divergent ?? ea?.divergent;
    if (divergent !== undefined) {
      const m = /^(\S+): /.exec(eb?.desc ?? ea?.desc ?? '');
      if (m) skipped.add(m[1]!);
      continue;
    }
    try {
      expect(strip(ea)).toEqual(strip(eb));
    } catch (e) {
      const context = b.entries
        .slice(Math.max(0, i - 4), i)
        .map((x) => `  #${x.step} ${x.desc} -> ${JSON.stringify(x.result)} ${JSON.stringify(x.received)}`)
        .join('\n');
      throw new Error(
        `script "${a.script}": ${a.target} and ${b.target} differ at step ${i}: ${eb?.desc ?? ea?.desc}\n` +
          `previous steps (${b.target}):\n${context}\n` +
          `${a.target}: ${show(ea)}\n${b.target}: ${show(eb)}\n\n${(e as Error).message}`,
      );
    }
  }
}

/** Runs the script on both targets in parallel, checks B's expectations, compares. Returns B's transcript. */
export async function differential(a: CompatTarget, b: CompatTarget, script: Script): Promise<Transcript> {
  const [ta, tb] = await Promise.all([runScript(a, script), runScript(b, script)]);
  const reference = [...tb.violations, ...(tb.divergentViolations ?? [])];
  if (reference.length > 0) throw new Error(`reference ${b.name} violated the script's expectations:\n${reference.join('\n')}`);
  compareTranscripts(ta, tb);
  if (ta.violations.length > 0) throw new Error(`${a.name} violated the script's expectations:\n${ta.violations.join('\n')}`);
  return tb;
}

// ---------------------------------------------------------------- random scripts

export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random but reproducible script over a small path universe under `root`, with three sessions that
 * create (persistent, ephemeral, sequential, TTL with a long ttl), delete, setData, read with watches,
 * multi/multiRead, setACL, persistent watches, close and reconnect. Containers are left out: the container
 * reaper would delete them at a time that differs between the two servers.
 */
export function randomScript(seed: number, root: string, length = 150): Script {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const names = ['a', 'b', 'c'];
  const byDepth: string[][] = [[root], [], [], []];
  for (const x of names) {
    byDepth[1]!.push(`${root}/${x}`);
    for (const y of names.slice(0, 2)) {
      byDepth[2]!.push(`${root}/${x}/${y}`);
      byDepth[3]!.push(`${root}/${x}/${y}/z`);
    }
  }
  const paths = byDepth.flat();
  // shallow paths more often, so that creates find their parent and later ops find their node
  const pickPath = () => {
    const r = rnd();
    return pick(byDepth[r < 0.1 ? 0 : r < 0.6 ? 1 : r < 0.9 ? 2 : 3]!);
  };
  const anyPath = () => (rnd() < 0.04 ? pick(['/', `${root}/`, `${root}//a`, `${root}/./a`, '']) : pickPath());
  const sessionsNames = ['s1', 's2', 's3'];
  const version = () => pick([-1, -1, 0, 1, 2]);
  const payload = () => (rnd() < 0.1 ? null : pick(['', 'x', 'hello', 'data-2']));
  const flags = () => pick([0, 0, 0, 1, 2, 3]);
  const acl = (): ACL[] =>
    pick<ACL[]>([OPEN_ACL, OPEN_ACL, OPEN_ACL, [{ perms: 1 | 2 | 4 | 8, id: { scheme: 'world', id: 'anyone' } }], [{ perms: 1 | 16, id: { scheme: 'world', id: 'anyone' } }]]);
  const createStep = (): ClientRequest => {
    const p = anyPath();
    const r = rnd();
    if (r < 0.1) return op.createTTL(p, payload(), pick([5, 6]), 3_600_000n);
    if (r < 0.4) return op.create2(p, payload(), flags(), rnd() < 0.1 ? acl() : OPEN_ACL);
    return op.create(p, payload(), flags());
  };
  const writeMop = (): MultiOp => {
    const r = rnd();
    const p = pickPath();
    if (r < 0.35) return mop.create(p, payload(), flags(), OPEN_ACL, pick([1, 1, 15] as const));
    if (r < 0.55) return mop.delete(p, version());
    if (r < 0.8) return mop.setData(p, payload(), version());
    return mop.check(p, version());
  };

  const steps: Step[] = [step.connect('s1'), step.connect('s2'), step.connect('s3'), step.req('s1', op.create(root, 'root'))];
  const open = new Set(sessionsNames);
  for (let i = 0; i < length; i++) {
    const s = pick(sessionsNames);
    if (!open.has(s)) {
      steps.push(step.connect(s));
      open.add(s);
      continue;
    }
    const r = rnd();
    let req: ClientRequest;
    if (r < 0.24) req = createStep();
    else if (r < 0.3) req = op.delete(anyPath(), version());
    else if (r < 0.42) req = op.setData(anyPath(), payload(), version());
    else if (r < 0.5) req = op.exists(anyPath(), rnd() < 0.6);
    else if (r < 0.58) req = op.getData(anyPath(), rnd() < 0.6);
    else if (r < 0.64) req = op.getChildren(anyPath(), rnd() < 0.6);
    else if (r < 0.68) req = op.getChildren2(anyPath(), rnd() < 0.5);
    else if (r < 0.76) req = op.multi(...Array.from({ length: 1 + Math.floor(rnd() * 3) }, writeMop));
    else if (r < 0.79) req = op.multiRead(...Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => (rnd() < 0.5 ? mop.getData(pickPath()) : mop.getChildren(pickPath()))));
    else if (r < 0.82) req = op.setACL(pick(paths), acl(), version());
    else if (r < 0.84) req = op.getACL(pick(paths));
    else if (r < 0.86) req = op.getAllChildrenNumber(pick(paths));
    else if (r < 0.88) req = op.getEphemerals(pick([root, `${root}/a`, '/']));
    else if (r < 0.9) req = op.sync(pick(paths));
    else if (r < 0.93) req = op.addWatch(pick(paths), pick([0, 1]));
    // WatcherType 4/5 only exist from 3.9 (3.8: MarshallingError): not generated
    else if (r < 0.95) req = op.removeWatches(pick(paths), pick([1, 2, 3]));
    else if (r < 0.97) req = op.checkWatches(pick(paths), pick([1, 2, 3]));
    else {
      steps.push(step.close(s));
      open.delete(s);
      continue;
    }
    steps.push(step.req(s, req));
  }
  return { name: `random seed ${seed}`, root, steps };
}
