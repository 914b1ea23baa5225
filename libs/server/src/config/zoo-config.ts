/**
 * zoo.cfg: the same keys, defaults and cross-checks as ZooKeeper 3.8 (`QuorumPeerConfig`,
 * `ZooKeeperServer`, `FileTxnLog`, `FilePadding`, `FourLetterCommands`, `ContainerManager`
 * settings), parsed strictly.
 *
 * Strictness, and how it differs from ZooKeeper on purpose:
 * - A bad value is a {@link ConfigError} naming file, line and key, e.g.
 *   `zoo.cfg:7: tickTime: expected a positive integer, got "abc"`.
 *   (ZooKeeper throws a NumberFormatException for some keys and silently ignores others.)
 * - An unknown key is an error. ZooKeeper turns every key it does not recognise into the JVM system
 *   property `zookeeper.<key>` without complaint, which is how a typo such as `tickTme=2000` or
 *   `maxClientCnxn=0` goes unnoticed for years. We accept every key ZooKeeper documents and
 *   Paddock understands; keys that only configure parts of ZooKeeper Paddock does not have
 *   (`admin.*` — the Jetty AdminServer, `metricsProvider.*`, `jvm.pause.*`, a few tuning knobs)
 *   are accepted and ignored (listed in `ServerConfig.ignored`); keys for features Paddock lacks
 *   (TLS, SASL quorum auth, hierarchical quorums, multi-address) are an error saying so, because
 *   ignoring them would silently weaken what the operator asked for.
 * - The system-property style keys may be written with or without the `zookeeper.` prefix
 *   (`snapCount` or `zookeeper.snapCount`, `extendedTypesEnabled` or
 *   `zookeeper.extendedTypesEnabled`), since both spellings are found in the wild.
 * - A key given twice is an error (`java.util.Properties` keeps the last one silently).
 * - `autopurge.snapRetainCount` < 3 and `snapCount` < 2 are raised to 3 and 2 with a warning, as
 *   ZooKeeper does.
 * - `clientPort=0` means "any free port" (ZooKeeper reads it as "not set"), which tests use.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from './config-error.js';
import { parseProperties, type PropertyEntry } from './properties.js';
import { resolveFourLetterWhitelist } from '../four-letter/commands.js';

export type LearnerType = 'participant' | 'observer';

/** One `server.N=host:quorumPort:electionPort[:participant|:observer][;[addr:]clientPort]` line. */
export interface QuorumServerSpec {
  readonly id: number;
  /** Host name or IP as written (an IPv6 literal without its brackets). */
  readonly host: string;
  readonly quorumPort: number;
  readonly electionPort: number;
  readonly type: LearnerType;
  /** From the `;[addr:]port` part; `0.0.0.0` when only a port is given. */
  readonly clientAddress: string | null;
  readonly clientPort: number | null;
}

/** A fully defaulted server configuration. */
export interface ServerConfig {
  /** The zoo.cfg path it came from, or null (command-line flags). */
  readonly configFile: string | null;

  // ---- timing
  /** `tickTime`, ms. Default 3000 (ZooKeeperServer.DEFAULT_TICK_TIME; zoo_sample.cfg says 2000). */
  readonly tickTime: number;
  /** `initLimit`, ticks. Required (non-zero) for a quorum member; 0 when unset. */
  readonly initLimit: number;
  /** `syncLimit`, ticks. Required (non-zero) for a quorum member; 0 when unset. */
  readonly syncLimit: number;
  /** `connectToLearnerMasterLimit`, ticks; 0 = use initLimit. */
  readonly connectToLearnerMasterLimit: number;

  // ---- directories and ports
  /** `dataDir` (required): snapshots, myid, currentEpoch, acceptedEpoch. */
  readonly dataDir: string;
  /** `dataLogDir`: txn logs. Defaults to dataDir. */
  readonly dataLogDir: string;
  /**
   * The client port to listen on: `clientPort`, or this server's `;clientPort` in its `server.N`
   * line. 0 = any free port.
   */
  readonly clientPort: number;
  /** `clientPortAddress` (or the `server.N` client address); null = all interfaces. */
  readonly clientPortAddress: string | null;
  /** `clientPortListenBacklog`; -1 = platform default. */
  readonly clientPortListenBacklog: number;

  // ---- connections and sessions
  /** `maxClientCnxns`: concurrent connections per client IP; 0 = unlimited. Default 60. */
  readonly maxClientCnxns: number;
  /** `minSessionTimeout`, ms. Default 2 * tickTime. */
  readonly minSessionTimeout: number;
  /** `maxSessionTimeout`, ms. Default 20 * tickTime. */
  readonly maxSessionTimeout: number;
  /** `globalOutstandingLimit`: stop reading sockets above this many queued requests. Default 1000. */
  readonly globalOutstandingLimit: number;
  /** `localSessionsEnabled`, default false. */
  readonly localSessionsEnabled: boolean;
  /** `localSessionsUpgradingEnabled`, default false. */
  readonly localSessionsUpgradingEnabled: boolean;

  // ---- persistence
  /** `snapCount`: txns between snapshots (randomised by ZooKeeper around this). Default 100000, min 2. */
  readonly snapCount: number;
  /** `snapSizeLimitInKb`: txn-log bytes between snapshots. Default 4194304 (4 GB); <= 0 disables. */
  readonly snapSizeLimitInKb: number;
  /** `preAllocSize`, **KB**: txn log files grow in steps of this. Default 65536 (64 MB). */
  readonly preAllocSizeKb: number;
  /** `forceSync` (yes/no): fsync the txn log before acknowledging. Default true. */
  readonly forceSync: boolean;
  /** `fsync.warningthresholdms`: log a warning when an fsync takes longer. Default 1000. */
  readonly fsyncWarningThresholdMs: number;
  /** `flushDelay`, ms: delay before flushing a group of txns. Default 0. */
  readonly flushDelay: number;
  /** `maxWriteQueuePollTime`, ms. Default flushDelay / 3 (integer division). */
  readonly maxWriteQueuePollTime: number;
  /** `maxBatchSize`: txns per group commit. Default 1000. */
  readonly maxBatchSize: number;
  readonly autopurge: {
    /** `autopurge.snapRetainCount`. Default 3, raised to 3 if lower. */
    readonly snapRetainCount: number;
    /** `autopurge.purgeInterval`, **hours**; 0 = off (default). */
    readonly purgeInterval: number;
  };

  // ---- data model
  /** `extendedTypesEnabled` (TTL nodes). Default false. */
  readonly extendedTypesEnabled: boolean;
  /** `enforceQuota`: reject writes over quota. Default false. */
  readonly enforceQuota: boolean;
  /** `jute.maxbuffer`: largest packet/znode in bytes. Default 0xfffff (1048575). */
  readonly juteMaxBuffer: number;
  /** `skipACL` (yes/no). Default false. */
  readonly skipACL: boolean;
  /** `DigestAuthenticationProvider.superDigest` ("super:<base64 sha1>"), or null. */
  readonly superDigest: string | null;
  readonly container: {
    /** `znode.container.checkIntervalMs`. Default 60000. */
    readonly checkIntervalMs: number;
    /** `znode.container.maxPerMinute`. Default 10000. */
    readonly maxPerMinute: number;
    /** `znode.container.maxNeverUsedIntervalMs`; 0 (default) = never reap never-used containers. */
    readonly maxNeverUsedIntervalMs: number;
  };
  /** `authProvider.N` entries as written (Paddock has digest and ip built in). */
  readonly authProviders: Readonly<Record<string, string>>;

  // ---- four-letter words
  /**
   * The enabled four-letter words after applying `4lw.commands.whitelist` (default: `srvr`;
   * `*` = all), always including `srvr`, plus `isro` in read-only mode.
   */
  readonly fourLetterWordWhitelist: readonly string[];

  // ---- quorum
  /** This server's id (from dataDir/myid), or null for a standalone server without one. */
  readonly serverId: number | null;
  /** `server.N` lines (from zoo.cfg or the dynamic config file), ordered by id. */
  readonly servers: readonly QuorumServerSpec[];
  /** Version of the dynamic config (hex suffix of the dynamic file name); 0 otherwise. */
  readonly configVersion: bigint;
  /** `peerType`; the `server.N` line of this server wins, as in ZooKeeper. Default participant. */
  readonly peerType: LearnerType;
  /** `electionAlg`: only 3 (FastLeaderElection) exists since 3.6. */
  readonly electionAlg: number;
  /** `standaloneEnabled`. Default true. */
  readonly standaloneEnabled: boolean;
  /** `reconfigEnabled`. Default false. */
  readonly reconfigEnabled: boolean;
  /** `syncEnabled`: observers log and snapshot. Default true. */
  readonly syncEnabled: boolean;
  /** `leaderServes` (yes/no): the leader accepts clients. Default true. */
  readonly leaderServes: boolean;
  /** `cnxTimeout`, ms: election connection timeout. Default 5000. */
  readonly cnxTimeout: number;
  /** `quorumListenOnAllIPs`. Default false. */
  readonly quorumListenOnAllIPs: boolean;
  /** `observerMasterPort`; 0 = not set. */
  readonly observerMasterPort: number;
  /** `readonlymode.enabled`. Default false. */
  readonly readonlyModeEnabled: boolean;
  /** `dynamicConfigFile`, or null. */
  readonly dynamicConfigFile: string | null;
  /**
   * True when this is a quorum member rather than a standalone server (ZooKeeper's
   * `isDistributed()`: more than one participant, or standaloneEnabled=false).
   */
  readonly distributed: boolean;

  // ---- bookkeeping
  /** Accepted-but-ignored entries (admin.*, metricsProvider.*, ...). */
  readonly ignored: readonly { readonly key: string; readonly value: string; readonly line: number }[];
  /** Adjustments worth logging at startup (clamped values, ignored single server line, ...). */
  readonly warnings: readonly string[];
}

/** Extra inputs of the pure parser (loadZooConfig reads them from disk). */
export interface ParseZooConfigOptions {
  /** Content of dataDir/myid, already parsed. */
  readonly serverId?: number;
  /** Content and file name of the `dynamicConfigFile`. */
  readonly dynamicConfig?: { readonly text: string; readonly fileName: string };
}

// ---------------------------------------------------------------------------------------------
// defaults

export const ZOOKEEPER_DEFAULT_TICK_TIME = 3000;
export const DEFAULT_JUTE_MAX_BUFFER = 0xfffff;
const INT_MAX = 2147483647;
const MIN_SNAP_RETAIN_COUNT = 3;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Draft {
  tickTime: number;
  initLimit: number;
  syncLimit: number;
  connectToLearnerMasterLimit: number;
  dataDir: string | null;
  dataLogDir: string | null;
  clientPort: number | null;
  clientPortAddress: string | null;
  clientPortListenBacklog: number;
  maxClientCnxns: number;
  minSessionTimeout: number | null;
  maxSessionTimeout: number | null;
  globalOutstandingLimit: number;
  localSessionsEnabled: boolean;
  localSessionsUpgradingEnabled: boolean;
  snapCount: number;
  snapSizeLimitInKb: number;
  preAllocSizeKb: number;
  forceSync: boolean;
  fsyncWarningThresholdMs: number;
  flushDelay: number;
  maxWriteQueuePollTime: number | null;
  maxBatchSize: number;
  snapRetainCount: number;
  purgeInterval: number;
  extendedTypesEnabled: boolean;
  enforceQuota: boolean;
  juteMaxBuffer: number;
  skipACL: boolean;
  superDigest: string | null;
  containerCheckIntervalMs: number;
  containerMaxPerMinute: number;
  containerMaxNeverUsedIntervalMs: number;
  authProviders: Record<string, string>;
  whitelist: string | undefined;
  servers: Map<number, QuorumServerSpec>;
  peerType: LearnerType;
  electionAlg: number;
  standaloneEnabled: boolean;
  reconfigEnabled: boolean;
  syncEnabled: boolean;
  leaderServes: boolean;
  cnxTimeout: number;
  quorumListenOnAllIPs: boolean;
  observerMasterPort: number;
  readonlyModeEnabled: boolean;
  dynamicConfigFile: string | null;
  ignored: { key: string; value: string; line: number }[];
  warnings: string[];
}

function newDraft(): Draft {
  return {
    tickTime: ZOOKEEPER_DEFAULT_TICK_TIME,
    initLimit: 0,
    syncLimit: 0,
    connectToLearnerMasterLimit: 0,
    dataDir: null,
    dataLogDir: null,
    clientPort: null,
    clientPortAddress: null,
    clientPortListenBacklog: -1,
    maxClientCnxns: 60,
    minSessionTimeout: null,
    maxSessionTimeout: null,
    globalOutstandingLimit: 1000,
    localSessionsEnabled: false,
    localSessionsUpgradingEnabled: false,
    snapCount: 100000,
    snapSizeLimitInKb: 4194304,
    preAllocSizeKb: 65536,
    forceSync: true,
    fsyncWarningThresholdMs: 1000,
    flushDelay: 0,
    maxWriteQueuePollTime: null,
    maxBatchSize: 1000,
    snapRetainCount: 3,
    purgeInterval: 0,
    extendedTypesEnabled: false,
    enforceQuota: false,
    juteMaxBuffer: DEFAULT_JUTE_MAX_BUFFER,
    skipACL: false,
    superDigest: null,
    containerCheckIntervalMs: 60000,
    containerMaxPerMinute: 10000,
    containerMaxNeverUsedIntervalMs: 0,
    authProviders: {},
    whitelist: undefined,
    servers: new Map(),
    peerType: 'participant',
    electionAlg: 3,
    standaloneEnabled: true,
    reconfigEnabled: false,
    syncEnabled: true,
    leaderServes: true,
    cnxTimeout: 5000,
    quorumListenOnAllIPs: false,
    observerMasterPort: 0,
    readonlyModeEnabled: false,
    dynamicConfigFile: null,
    ignored: [],
    warnings: [],
  };
}

// ---------------------------------------------------------------------------------------------
// value parsers: they throw Invalid(reason); the caller adds file, line and key

class Invalid extends Error {}

function show(v: string): string {
  const hint = /\s#/.test(v) ? ' (comments must be on a line of their own)' : '';
  return `"${v}"${hint}`;
}

function parseIntStrict(v: string, min: number, max: number, what: string): number {
  if (!/^[+-]?\d+$/.test(v)) throw new Invalid(`expected ${what}, got ${show(v)}`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new Invalid(`expected ${what}, got ${show(v)}`);
  return n;
}

/** 1 .. Integer.MAX_VALUE */
const positiveInt = (v: string): number => parseIntStrict(v, 1, INT_MAX, 'a positive integer');
/** 0 .. Integer.MAX_VALUE */
const nonNegativeInt = (v: string): number => parseIntStrict(v, 0, INT_MAX, 'a non-negative integer');
/** 0 .. 2^53-1 (Java long settings) */
const nonNegativeLong = (v: string): number =>
  parseIntStrict(v, 0, Number.MAX_SAFE_INTEGER, 'a non-negative integer');
const port = (v: string): number => parseIntStrict(v, 0, 65535, 'a port number (0-65535)');

function bool(v: string): boolean {
  // QuorumPeerConfig.parseBoolean: true/false, case-insensitive, anything else is an error.
  if (v.toLowerCase() === 'true') return true;
  if (v.toLowerCase() === 'false') return false;
  throw new Invalid(`expected true or false, got ${show(v)}`);
}

function yesNo(v: string): boolean {
  // ZooKeeper compares with "yes"/"no" exactly; "true" would silently mean the default there.
  if (v === 'yes') return true;
  if (v === 'no') return false;
  throw new Invalid(`expected yes or no, got ${show(v)}`);
}

function text(v: string): string {
  if (v === '') throw new Invalid('expected a value, got ""');
  return v;
}

function parseJuteMaxBuffer(v: string): number {
  // Integer.getInteger accepts decimal and 0x-hex.
  if (/^0[xX][0-9a-fA-F]+$/.test(v)) {
    const n = parseInt(v.slice(2), 16);
    if (n >= 1 && n <= INT_MAX) return n;
  }
  return parseIntStrict(v, 1, INT_MAX, 'a positive integer (decimal or 0x hex)');
}

function parseSuperDigest(v: string): string {
  if (!/^[^:\s]+:[A-Za-z0-9+/]+=*$/.test(v)) {
    throw new Invalid(`expected <user>:<base64 SHA-1 digest>, got ${show(v)}`);
  }
  return v;
}

function learnerType(v: string): LearnerType {
  const t = v.trim().toLowerCase();
  if (t === 'participant' || t === 'observer') return t;
  throw new Invalid(`expected participant or observer, got ${show(v)}`);
}

/** ConfigUtils.getHostAndPort: `[v6]:a:b` or `host:a:b`. */
function splitHostAndPorts(s: string): string[] {
  if (s.startsWith('[')) {
    const i = s.indexOf(']');
    if (i < 0) throw new Invalid(`${s} starts with '[' but has no matching ']:'`);
    if (i + 1 === s.length) return [s.slice(1, i)];
    if (s[i + 1] !== ':' || i + 2 === s.length) throw new Invalid(`${s} doesn't have a port after colon`);
    return [s.slice(1, i), ...s.slice(i + 2).split(':')];
  }
  return s.split(':');
}

const SERVER_FORMAT =
  'expected host:quorumPort:electionPort[:participant|:observer][;[clientAddress:]clientPort]';

function parseServerLine(id: number, value: string): QuorumServerSpec {
  const parts = value.split(';');
  if (parts.length > 2) throw new Invalid(`${SERVER_FORMAT}, got ${show(value)}`);
  const serverPart = parts[0]!.trim();
  if (serverPart.includes('|')) {
    throw new Invalid('multiple addresses per server (multiAddress.enabled) are not supported by Paddock');
  }
  let clientAddress: string | null = null;
  let clientPort: number | null = null;
  if (parts.length === 2) {
    const clientParts = splitHostAndPorts(parts[1]!.trim());
    if (clientParts.length > 2) throw new Invalid(`${SERVER_FORMAT}, got ${show(value)}`);
    clientAddress = clientParts.length === 2 ? clientParts[0]! : '0.0.0.0';
    if (clientAddress === '') throw new Invalid(`${SERVER_FORMAT}, got ${show(value)}`);
    clientPort = nonZeroPortIn(clientParts[clientParts.length - 1]!, 'client port', value);
  }
  const sp = splitHostAndPorts(serverPart);
  if (sp.length < 3 || sp.length > 4 || sp[0] === '') throw new Invalid(`${SERVER_FORMAT}, got ${show(value)}`);
  const quorumPort = nonZeroPortIn(sp[1]!, 'quorum port', value);
  const electionPort = nonZeroPortIn(sp[2]!, 'election port', value);
  if (quorumPort === electionPort) {
    throw new Invalid(`quorum port and election port must be different, got ${show(value)}`);
  }
  const type = sp.length === 4 ? learnerType(sp[3]!) : 'participant';
  return { id, host: sp[0]!, quorumPort, electionPort, type, clientAddress, clientPort };
}

function nonZeroPortIn(v: string, what: string, whole: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535) {
    throw new Invalid(`${what} must be a port number (1-65535), got "${v}" in ${show(whole)}`);
  }
  return Number(v);
}

function serverId(idText: string): number {
  if (!/^\d+$/.test(idText) || !Number.isSafeInteger(Number(idText))) {
    throw new Invalid(`server id must be a non-negative integer, got "${idText}"`);
  }
  return Number(idText);
}

// ---------------------------------------------------------------------------------------------
// the key table

type Apply = (d: Draft, value: string, key: string, line: number) => void;

interface KeySpec {
  /** Canonical spelling (used to detect duplicates between aliases). */
  readonly name: string;
  readonly apply: Apply;
  /** Also accept `zookeeper.<name>` (keys ZooKeeper reads as system properties). */
  readonly sysprop?: boolean;
  readonly aliases?: readonly string[];
}

const KEYS: readonly KeySpec[] = [
  // QuorumPeerConfig keys
  { name: 'dataDir', apply: (d, v) => { d.dataDir = text(v); } },
  { name: 'dataLogDir', apply: (d, v) => { d.dataLogDir = text(v); } },
  { name: 'clientPort', apply: (d, v) => { d.clientPort = port(v); } },
  { name: 'clientPortAddress', apply: (d, v) => { d.clientPortAddress = text(v); } },
  { name: 'clientPortListenBacklog', apply: (d, v) => { d.clientPortListenBacklog = parseIntStrict(v, -1, INT_MAX, 'an integer >= -1'); } },
  { name: 'tickTime', apply: (d, v) => { d.tickTime = positiveInt(v); } },
  { name: 'maxClientCnxns', apply: (d, v) => { d.maxClientCnxns = nonNegativeInt(v); } },
  { name: 'minSessionTimeout', apply: (d, v) => { d.minSessionTimeout = positiveInt(v); } },
  { name: 'maxSessionTimeout', apply: (d, v) => { d.maxSessionTimeout = positiveInt(v); } },
  { name: 'initLimit', apply: (d, v) => { d.initLimit = positiveInt(v); } },
  { name: 'syncLimit', apply: (d, v) => { d.syncLimit = positiveInt(v); } },
  { name: 'connectToLearnerMasterLimit', apply: (d, v) => { d.connectToLearnerMasterLimit = nonNegativeInt(v); } },
  {
    name: 'electionAlg',
    apply: (d, v) => {
      const n = parseIntStrict(v, 0, INT_MAX, '3');
      if (n !== 3) throw new Invalid(`only 3 (FastLeaderElection) is supported, got ${show(v)}`);
      d.electionAlg = n;
    },
  },
  { name: 'quorumListenOnAllIPs', apply: (d, v) => { d.quorumListenOnAllIPs = bool(v); } },
  { name: 'peerType', apply: (d, v) => { d.peerType = learnerType(v); } },
  { name: 'syncEnabled', apply: (d, v) => { d.syncEnabled = bool(v); } },
  { name: 'dynamicConfigFile', apply: (d, v) => { d.dynamicConfigFile = text(v); } },
  { name: 'autopurge.snapRetainCount', apply: (d, v) => { d.snapRetainCount = parseIntStrict(v, 0, INT_MAX, 'a non-negative integer'); } },
  { name: 'autopurge.purgeInterval', apply: (d, v) => { d.purgeInterval = nonNegativeInt(v); } },
  { name: 'standaloneEnabled', apply: (d, v) => { d.standaloneEnabled = bool(v); } },
  { name: 'reconfigEnabled', apply: (d, v) => { d.reconfigEnabled = bool(v); } },
  { name: 'localSessionsEnabled', apply: (d, v) => { d.localSessionsEnabled = bool(v); } },
  { name: 'localSessionsUpgradingEnabled', apply: (d, v) => { d.localSessionsUpgradingEnabled = bool(v); } },
  { name: 'observerMasterPort', apply: (d, v) => { d.observerMasterPort = port(v); } },
  {
    name: 'multiAddress.enabled',
    apply: (_d, v) => {
      if (bool(v)) throw new Invalid('multiple addresses per server are not supported by Paddock');
    },
  },

  // keys ZooKeeper reads as `zookeeper.<key>` system properties
  { name: 'snapCount', sysprop: true, apply: (d, v) => { d.snapCount = parseIntStrict(v, 0, INT_MAX, 'a positive integer'); } },
  { name: 'snapSizeLimitInKb', sysprop: true, apply: (d, v) => { d.snapSizeLimitInKb = parseIntStrict(v, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'an integer'); } },
  { name: 'preAllocSize', sysprop: true, apply: (d, v) => { d.preAllocSizeKb = nonNegativeLong(v); } },
  { name: 'globalOutstandingLimit', sysprop: true, apply: (d, v) => { d.globalOutstandingLimit = positiveInt(v); } },
  { name: 'skipACL', sysprop: true, apply: (d, v) => { d.skipACL = yesNo(v); } },
  { name: 'forceSync', sysprop: true, apply: (d, v) => { d.forceSync = yesNo(v); } },
  { name: 'fsync.warningthresholdms', sysprop: true, apply: (d, v) => { d.fsyncWarningThresholdMs = nonNegativeLong(v); } },
  { name: 'extendedTypesEnabled', sysprop: true, apply: (d, v) => { d.extendedTypesEnabled = bool(v); } },
  { name: 'enforceQuota', sysprop: true, apply: (d, v) => { d.enforceQuota = bool(v); } },
  { name: '4lw.commands.whitelist', sysprop: true, apply: (d, v) => { d.whitelist = v; } },
  { name: 'flushDelay', sysprop: true, apply: (d, v) => { d.flushDelay = nonNegativeLong(v); } },
  { name: 'maxWriteQueuePollTime', sysprop: true, apply: (d, v) => { d.maxWriteQueuePollTime = nonNegativeLong(v); } },
  { name: 'maxBatchSize', sysprop: true, apply: (d, v) => { d.maxBatchSize = positiveInt(v); } },
  { name: 'leaderServes', sysprop: true, apply: (d, v) => { d.leaderServes = yesNo(v); } },
  { name: 'cnxTimeout', sysprop: true, apply: (d, v) => { d.cnxTimeout = positiveInt(v); } },
  {
    name: 'DigestAuthenticationProvider.superDigest',
    sysprop: true,
    aliases: ['superDigest'],
    apply: (d, v) => { d.superDigest = parseSuperDigest(v); },
  },

  // plain system properties (no `zookeeper.` prefix in ZooKeeper)
  { name: 'jute.maxbuffer', apply: (d, v) => { d.juteMaxBuffer = parseJuteMaxBuffer(v); } },
  { name: 'readonlymode.enabled', apply: (d, v) => { d.readonlyModeEnabled = bool(v); } },
  { name: 'znode.container.checkIntervalMs', apply: (d, v) => { d.containerCheckIntervalMs = positiveInt(v); } },
  { name: 'znode.container.maxPerMinute', apply: (d, v) => { d.containerMaxPerMinute = positiveInt(v); } },
  { name: 'znode.container.maxNeverUsedIntervalMs', apply: (d, v) => { d.containerMaxNeverUsedIntervalMs = nonNegativeLong(v); } },
];

const KEY_INDEX: ReadonlyMap<string, KeySpec> = (() => {
  const m = new Map<string, KeySpec>();
  for (const spec of KEYS) {
    m.set(spec.name, spec);
    if (spec.sysprop) m.set(`zookeeper.${spec.name}`, spec);
    for (const a of spec.aliases ?? []) m.set(a, spec);
  }
  return m;
})();

/** Accepted and ignored: parts of ZooKeeper that Paddock does not have or does differently. */
const IGNORED_PREFIXES = ['admin.', 'zookeeper.admin.', 'metricsProvider.', 'jvm.pause.'];
const IGNORED_KEYS = new Set([
  'quorum.cnxn.threads.size',
  'multiAddress.reachabilityCheckEnabled',
  'multiAddress.reachabilityCheckTimeoutMs',
  'electionPortBindRetry',
  'zookeeper.electionPortBindRetry',
  'serverCnxnFactory',
  'zookeeper.serverCnxnFactory',
]);

/** Known ZooKeeper keys for features Paddock does not implement: an error, not a silent no-op. */
const UNSUPPORTED_PREFIXES = ['ssl.', 'zookeeper.ssl.', 'quorum.auth.', 'group.', 'weight.'];
const UNSUPPORTED_KEYS = new Set([
  'secureClientPort',
  'secureClientPortAddress',
  'sslQuorum',
  'portUnification',
  'sslQuorumReloadCertFiles',
  'oraclePath',
  'client.secure',
  'zookeeper.client.secure',
]);

function isIgnored(key: string): boolean {
  return IGNORED_KEYS.has(key) || IGNORED_PREFIXES.some((p) => key.startsWith(p));
}

function isUnsupported(key: string): boolean {
  return UNSUPPORTED_KEYS.has(key) || UNSUPPORTED_PREFIXES.some((p) => key.startsWith(p));
}

function unknownKeyReason(key: string): string {
  const lower = key.toLowerCase();
  const near = [...KEY_INDEX.keys()].find((k) => k.toLowerCase() === lower);
  return near === undefined ? 'unknown key' : `unknown key (did you mean ${near}?)`;
}

// ---------------------------------------------------------------------------------------------
// parsing

/**
 * Parses zoo.cfg text into a fully defaulted {@link ServerConfig}. Pure: myid and the dynamic
 * config file are passed in `options` (see {@link loadZooConfig}, which reads them).
 *
 * @param fileName used in error messages (and as `configFile`) only
 * @throws ConfigError
 */
export function parseZooConfig(text: string, fileName: string, options: ParseZooConfigOptions = {}): ServerConfig {
  const entries = parseProperties(text, fileName);
  const d = newDraft();
  const seen = new Map<string, { key: string; line: number }>();
  const fail = (e: PropertyEntry, reason: string): never => {
    throw new ConfigError(fileName, e.line, e.key, reason);
  };
  const serverLines: PropertyEntry[] = [];
  let whitelistEntry: PropertyEntry | undefined;

  for (const e of entries) {
    if (e.key === '') throw new ConfigError(fileName, e.line, undefined, `missing key before value ${show(e.value)}`);
    const spec = KEY_INDEX.get(e.key);
    const canonical = spec?.name ?? e.key;
    const earlier = seen.get(canonical);
    if (earlier !== undefined) {
      fail(e, `duplicate key (already set on line ${earlier.line}${earlier.key !== e.key ? ` as ${earlier.key}` : ''})`);
    }
    seen.set(canonical, { key: e.key, line: e.line });

    if (spec !== undefined) {
      try {
        spec.apply(d, e.value, e.key, e.line);
      } catch (err) {
        if (err instanceof Invalid) fail(e, err.message);
        throw err;
      }
      if (spec.name === '4lw.commands.whitelist') whitelistEntry = e;
    } else if (e.key.startsWith('server.')) {
      serverLines.push(e);
    } else if (/^(zookeeper\.)?authProvider\.[^.]+$/.test(e.key)) {
      d.authProviders[e.key.replace(/^zookeeper\./, '').slice('authProvider.'.length)] = e.value;
    } else if (isIgnored(e.key)) {
      d.ignored.push({ key: e.key, value: e.value, line: e.line });
    } else if (isUnsupported(e.key)) {
      fail(e, 'not supported by Paddock (remove it, or use Apache ZooKeeper for this feature)');
    } else {
      fail(e, unknownKeyReason(e.key));
    }
  }

  // server.N lines: in zoo.cfg, or in the dynamic config file (then not in zoo.cfg).
  if (d.dynamicConfigFile !== null) {
    const stray = serverLines[0];
    if (stray !== undefined) fail(stray, 'must be in the dynamic config file when dynamicConfigFile is set');
  }
  for (const e of serverLines) addServer(d, e, fileName);
  let configVersion = 0n;
  if (options.dynamicConfig !== undefined) {
    configVersion = parseDynamicConfig(d, options.dynamicConfig.text, options.dynamicConfig.fileName);
  }

  return finish(d, fileName, fileName, seen, whitelistEntry, options.serverId ?? null, configVersion);
}

function addServer(d: Draft, e: PropertyEntry, fileName: string): void {
  try {
    const id = serverId(e.key.slice('server.'.length));
    d.servers.set(id, parseServerLine(id, e.value));
  } catch (err) {
    if (err instanceof Invalid) throw new ConfigError(fileName, e.line, e.key, err.message);
    throw err;
  }
}

/** A dynamic config file holds only server.N lines (QuorumPeerConfig.parseDynamicConfig). */
function parseDynamicConfig(d: Draft, text: string, fileName: string): bigint {
  const seen = new Map<string, number>();
  for (const e of parseProperties(text, fileName)) {
    const earlier = seen.get(e.key);
    if (earlier !== undefined) throw new ConfigError(fileName, e.line, e.key, `duplicate key (already set on line ${earlier})`);
    seen.set(e.key, e.line);
    if (e.key.startsWith('server.')) addServer(d, e, fileName);
    else if (e.key === 'version') throw new ConfigError(fileName, e.line, e.key, "the dynamic config file shouldn't have a version inside (it comes from the file name)");
    else if (e.key.startsWith('group') || e.key.startsWith('weight')) throw new ConfigError(fileName, e.line, e.key, 'hierarchical quorums are not supported by Paddock');
    else throw new ConfigError(fileName, e.line, e.key, 'unknown key in a dynamic config file (only server.N lines belong there)');
  }
  // "zoo.cfg.dynamic.100000000" -> version 0x100000000 (getVersionFromFilename).
  const suffix = fileName.slice(fileName.lastIndexOf('.') + 1);
  return /^[0-9a-fA-F]{1,16}$/.test(suffix) ? BigInt(`0x${suffix}`) : 0n;
}

function finish(
  d: Draft,
  fileName: string,
  configFile: string | null,
  seen: ReadonlyMap<string, { key: string; line: number }>,
  whitelistEntry: { key: string; value: string; line: number } | undefined,
  myId: number | null,
  configVersion: bigint,
): ServerConfig {
  const where = (canonical: string): { line: number | undefined; key: string } => {
    const s = seen.get(canonical);
    return { line: s?.line, key: s?.key ?? canonical };
  };
  const error = (canonical: string, reason: string): ConfigError => {
    const w = where(canonical);
    return new ConfigError(fileName, w.line, w.key, reason);
  };

  if (d.dataDir === null) throw new ConfigError(fileName, undefined, 'dataDir', 'required key is missing');

  let whitelist: string[];
  try {
    whitelist = resolveFourLetterWhitelist(d.whitelist, { readOnlyModeEnabled: d.readonlyModeEnabled });
  } catch (err) {
    const w = whitelistEntry;
    throw new ConfigError(fileName, w?.line, w?.key ?? '4lw.commands.whitelist', (err as Error).message);
  }
  for (const w of ['gtmk', 'stmk', 'hash']) {
    if (whitelist.includes(w) && d.whitelist !== undefined && !/(^|,)\s*\*\s*(,|$)/.test(d.whitelist)) {
      d.warnings.push(`4lw.commands.whitelist: "${w}" is a ZooKeeper command Paddock does not answer`);
    }
  }

  if (d.snapRetainCount < MIN_SNAP_RETAIN_COUNT) {
    d.warnings.push(`autopurge.snapRetainCount: ${d.snapRetainCount} is below the minimum, using ${MIN_SNAP_RETAIN_COUNT}`);
    d.snapRetainCount = MIN_SNAP_RETAIN_COUNT;
  }
  if (d.snapCount < 2) {
    d.warnings.push(`snapCount: ${d.snapCount} is below the minimum, using 2`);
    d.snapCount = 2;
  }

  const minSessionTimeout = d.minSessionTimeout ?? d.tickTime * 2;
  const maxSessionTimeout = d.maxSessionTimeout ?? d.tickTime * 20;
  if (minSessionTimeout > maxSessionTimeout) {
    const blame = d.minSessionTimeout !== null ? 'minSessionTimeout' : 'maxSessionTimeout';
    throw error(blame, `minSessionTimeout must not be larger than maxSessionTimeout (${minSessionTimeout} > ${maxSessionTimeout})`);
  }

  if (d.clientPortAddress !== null && d.clientPort === null) {
    throw error('clientPortAddress', 'is set but clientPort is not set');
  }

  // Quorum (QuorumPeerConfig.parseDynamicConfig / setupClientPort / setupPeerType / checkValidity).
  const servers = [...d.servers.values()].sort((a, b) => a.id - b.id);
  const voting = servers.filter((s) => s.type === 'participant');
  const observers = servers.filter((s) => s.type === 'observer');
  const serversWhere = d.dynamicConfigFile !== null ? `${d.dynamicConfigFile}` : fileName;
  if (servers.length > 0 || !d.standaloneEnabled) {
    if (voting.length === 0) {
      if (!d.standaloneEnabled) throw error('standaloneEnabled', 'is false but no participant server.N is configured');
      if (observers.length > 0) throw new ConfigError(serversWhere, undefined, undefined, 'observers without participants is an invalid configuration');
    } else if (voting.length === 1 && d.standaloneEnabled) {
      if (observers.length > 0) throw new ConfigError(serversWhere, undefined, undefined, 'observers without a quorum is an invalid configuration');
      d.warnings.push('only one server is specified: it is ignored and this server runs standalone');
    }
  }
  const distributed = servers.length > 0 && (!d.standaloneEnabled || voting.length > 1);

  let clientPort = d.clientPort;
  let clientPortAddress = d.clientPortAddress;
  let peerType = d.peerType;
  const me = myId === null ? undefined : d.servers.get(myId);
  if (distributed) {
    if (d.initLimit === 0) throw new ConfigError(fileName, undefined, 'initLimit', 'required for a quorum member (server.N lines are present)');
    if (d.syncLimit === 0) throw new ConfigError(fileName, undefined, 'syncLimit', 'required for a quorum member (server.N lines are present)');
    if (myId === null) throw new ConfigError(fileName, undefined, undefined, `myid file is missing: write this server's id into ${join(d.dataDir, 'myid')}`);
    if (me === undefined) throw new ConfigError(fileName, undefined, undefined, `this server's id ${myId} (from myid) has no server.${myId} line`);
  }
  if (me !== undefined) {
    if (me.clientPort !== null) {
      const staticIsWildcard = clientPortAddress === null || clientPortAddress === '0.0.0.0' || clientPortAddress === '::';
      if ((clientPort !== null && clientPort !== me.clientPort)
        || (!staticIsWildcard && clientPortAddress !== me.clientAddress)) {
        throw error('clientPort', `client address for this server (id = ${myId}) is ${clientPortAddress ?? '0.0.0.0'}:${clientPort}, `
          + `different from the one in its server.${myId} line: ${me.clientAddress}:${me.clientPort}`);
      }
      clientPort = me.clientPort;
      clientPortAddress = me.clientAddress === '0.0.0.0' ? clientPortAddress : me.clientAddress;
    }
    if (me.type !== peerType) {
      if (seen.has('peerType')) {
        d.warnings.push(`peerType ${peerType} does not match server.${myId} (${me.type}); using ${me.type}`);
      }
      peerType = me.type;
    }
  }
  if (clientPort === null) {
    throw new ConfigError(fileName, undefined, 'clientPort', 'required key is missing (or give this server a ;clientPort in its server.N line)');
  }

  const config: Mutable<ServerConfig> = {
    configFile,
    tickTime: d.tickTime,
    initLimit: d.initLimit,
    syncLimit: d.syncLimit,
    connectToLearnerMasterLimit: d.connectToLearnerMasterLimit,
    dataDir: d.dataDir,
    dataLogDir: d.dataLogDir ?? d.dataDir,
    clientPort,
    clientPortAddress,
    clientPortListenBacklog: d.clientPortListenBacklog,
    maxClientCnxns: d.maxClientCnxns,
    minSessionTimeout,
    maxSessionTimeout,
    globalOutstandingLimit: d.globalOutstandingLimit,
    localSessionsEnabled: d.localSessionsEnabled,
    localSessionsUpgradingEnabled: d.localSessionsUpgradingEnabled,
    snapCount: d.snapCount,
    snapSizeLimitInKb: d.snapSizeLimitInKb,
    preAllocSizeKb: d.preAllocSizeKb,
    forceSync: d.forceSync,
    fsyncWarningThresholdMs: d.fsyncWarningThresholdMs,
    flushDelay: d.flushDelay,
    maxWriteQueuePollTime: d.maxWriteQueuePollTime ?? Math.floor(d.flushDelay / 3),
    maxBatchSize: d.maxBatchSize,
    autopurge: { snapRetainCount: d.snapRetainCount, purgeInterval: d.purgeInterval },
    extendedTypesEnabled: d.extendedTypesEnabled,
    enforceQuota: d.enforceQuota,
    juteMaxBuffer: d.juteMaxBuffer,
    skipACL: d.skipACL,
    superDigest: d.superDigest,
    container: {
      checkIntervalMs: d.containerCheckIntervalMs,
      maxPerMinute: d.containerMaxPerMinute,
      maxNeverUsedIntervalMs: d.containerMaxNeverUsedIntervalMs,
    },
    authProviders: d.authProviders,
    fourLetterWordWhitelist: whitelist,
    serverId: myId,
    servers,
    configVersion,
    peerType,
    electionAlg: d.electionAlg,
    standaloneEnabled: d.standaloneEnabled,
    reconfigEnabled: d.reconfigEnabled,
    syncEnabled: d.syncEnabled,
    leaderServes: d.leaderServes,
    cnxTimeout: d.cnxTimeout,
    quorumListenOnAllIPs: d.quorumListenOnAllIPs,
    observerMasterPort: d.observerMasterPort,
    readonlyModeEnabled: d.readonlyModeEnabled,
    dynamicConfigFile: d.dynamicConfigFile,
    distributed,
    ignored: d.ignored,
    warnings: d.warnings,
  };
  return config;
}

// ---------------------------------------------------------------------------------------------
// I/O

/**
 * Reads a zoo.cfg (plus `dataDir/myid` when present, and the `dynamicConfigFile` when set) and
 * parses it. Errors name the path as given.
 *
 * @throws ConfigError also for an unreadable file or a malformed myid
 */
export async function loadZooConfig(path: string): Promise<ServerConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, undefined, undefined, `cannot read the configuration file (${describeIoError(err)})`);
  }
  // A first look at the raw entries, only to find dataDir (for myid) and dynamicConfigFile;
  // parseZooConfig below validates everything.
  const probe = parseProperties(text, path);
  const dataDir = probe.find((e) => e.key === 'dataDir')?.value;
  const dynamicFile = probe.find((e) => e.key === 'dynamicConfigFile')?.value;

  const options: { serverId?: number; dynamicConfig?: { text: string; fileName: string } } = {};
  if (dataDir !== undefined && dataDir !== '') {
    const myIdPath = join(dataDir, 'myid');
    let myIdText: string | undefined;
    try {
      myIdText = await readFile(myIdPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR') {
        throw new ConfigError(myIdPath, undefined, undefined, `cannot read (${describeIoError(err)})`);
      }
    }
    if (myIdText !== undefined) options.serverId = parseMyId(myIdText, myIdPath);
  }
  if (dynamicFile !== undefined && dynamicFile !== '') {
    try {
      options.dynamicConfig = { text: await readFile(dynamicFile, 'utf8'), fileName: dynamicFile };
    } catch (err) {
      throw new ConfigError(dynamicFile, undefined, undefined, `cannot read the dynamic config file (${describeIoError(err)})`);
    }
  }
  return parseZooConfig(text, path, options);
}

/** dataDir/myid: the first line is the server id (QuorumPeerConfig.setupMyId). */
export function parseMyId(text: string, fileName = 'myid'): number {
  const first = (text.split(/\r\n|\r|\n/)[0] ?? '').trim();
  if (!/^\d+$/.test(first) || !Number.isSafeInteger(Number(first))) {
    throw new ConfigError(fileName, 1, undefined, `server id must be a non-negative integer, got "${first}"`);
  }
  return Number(first);
}

function describeIoError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such file';
  if (e?.code === 'EACCES') return 'permission denied';
  if (e?.code === 'EISDIR') return 'is a directory';
  return e?.code ?? String((err as Error)?.message ?? err);
}

// ---------------------------------------------------------------------------------------------
// command-line quick start

/** `paddock server --port <n> --data-dir <dir> [...]`. Strings are validated like zoo.cfg values. */
export interface ServerFlags {
  /** `--port`: client port (0 = any free port). Default 2181. */
  readonly port?: number | string;
  /** `--data-dir` (required). */
  readonly dataDir: string;
  /** `--data-log-dir`: defaults to dataDir. */
  readonly dataLogDir?: string;
  /** `--tick-time`, ms: default 3000, as `zkServer.sh`-less `ZooKeeperServerMain port dir`. */
  readonly tickTime?: number | string;
  /** `--max-client-cnxns`: default 60. */
  readonly maxClientCnxns?: number | string;
  /** `--client-port-address`: default all interfaces. */
  readonly clientPortAddress?: string;
  /** `--4lw`: a `4lw.commands.whitelist` value. Default ZooKeeper's (srvr only). */
  readonly fourLetterWords?: string;
}

export const DEFAULT_CLIENT_PORT = 2181;

/**
 * The configuration `ZooKeeperServerMain <port> <dataDir> [tickTime] [maxClientCnxns]` would run
 * with: ZooKeeper's defaults for everything not given.
 *
 * @throws ConfigError with file "command line" and the flag as key
 */
export function configFromFlags(flags: ServerFlags): ServerConfig {
  const file = 'command line';
  const seen = new Map<string, { key: string; line: number }>();
  const d = newDraft();
  const set = (flag: string, canonical: string, raw: number | string | undefined, apply: (v: string) => void): void => {
    if (raw === undefined) return;
    try {
      apply(String(raw).trim());
    } catch (err) {
      if (err instanceof Invalid) throw new ConfigError(file, undefined, flag, err.message);
      throw err;
    }
    seen.set(canonical, { key: flag, line: 0 });
  };
  if (flags.dataDir === undefined || String(flags.dataDir).trim() === '') {
    throw new ConfigError(file, undefined, '--data-dir', 'is required (or use --config <zoo.cfg>)');
  }
  set('--data-dir', 'dataDir', flags.dataDir, (v) => { d.dataDir = text(v); });
  set('--data-log-dir', 'dataLogDir', flags.dataLogDir, (v) => { d.dataLogDir = text(v); });
  set('--port', 'clientPort', flags.port ?? DEFAULT_CLIENT_PORT, (v) => { d.clientPort = port(v); });
  set('--tick-time', 'tickTime', flags.tickTime, (v) => { d.tickTime = positiveInt(v); });
  set('--max-client-cnxns', 'maxClientCnxns', flags.maxClientCnxns, (v) => { d.maxClientCnxns = nonNegativeInt(v); });
  set('--client-port-address', 'clientPortAddress', flags.clientPortAddress, (v) => { d.clientPortAddress = text(v); });
  set('--4lw', '4lw.commands.whitelist', flags.fourLetterWords, (v) => { d.whitelist = v; });
  const whitelistFlag = flags.fourLetterWords === undefined ? undefined : { key: '--4lw', value: String(flags.fourLetterWords), line: 0 };
  // Report flag problems without a line number.
  try {
    return finish(d, file, null, seen, whitelistFlag, null, 0n);
  } catch (err) {
    if (err instanceof ConfigError && err.line === 0) throw new ConfigError(file, undefined, err.key, err.reason);
    throw err;
  }
}
