/**
 * The zkCli.sh-compatible shell (ZooKeeperMain and the org.apache.zookeeper.cli commands of ZooKeeper 3.8):
 * same commands, flags, output (stdout vs stderr included), error messages and exit codes.
 */
import {
  OPEN_ACL_UNSAFE,
  ZooKeeperClient,
  ZooKeeperError,
  type ACL,
  type AddWatchMode,
  type ClientState,
  type CreateMode,
  type Op,
  type WatchedEvent,
  type Watcher,
  type WatcherKind,
} from '@paddock/client';
import { formatAclEntry, parseAcl } from './acl.js';
import { parseCommandLine, tokenizeLine, type CommandLine, type OptionSpec } from './cli-options.js';
import { CliError, checkPath, javaPathError, keeperMessage, wrapError } from './errors.js';
import { formatStat } from './stat-format.js';

/** Where the shell writes: System.out and System.err. */
export interface ShellIO {
  out(text: string): void;
  err(text: string): void;
}

/** The JVM would die with an uncaught exception here (zkCli does, e.g. for `set -v abc`): print it, exit 1. */
export class JavaCrash extends Error {
  constructor(
    readonly javaClass: string,
    detail: string,
  ) {
    super(`Exception in thread "main" ${javaClass}: ${detail}`);
    this.name = 'JavaCrash';
  }
}

/** `quit`: end the process with this code. */
export class ShellExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
    this.name = 'ShellExit';
  }
}

export interface ZkShellOptions {
  /** Session timeout (ms), -timeout. */
  timeout: number;
  /** -waitforconnection: connect() fails if the session is not up within the timeout. */
  waitForConnection?: boolean;
  /** Called after output that arrived while idle (watch events), e.g. to redraw a prompt. */
  onAsyncOutput?: () => void;
  /** Time zone for dates (default: the process's). */
  timeZone?: string;
  /** Client factory (tests). */
  newClient?: (connectString: string, sessionTimeout: number) => ZooKeeperClient;
}

const ADD_WATCH_MODES = ['PERSISTENT', 'PERSISTENT_RECURSIVE'] as const;

/** Every command zkCli knows, with its option string (ZooKeeperMain.commandMap). */
export const COMMAND_USAGE: ReadonlyMap<string, string> = new Map([
  ['connect', 'host:port'],
  ['history', ''],
  ['redo', 'cmdno'],
  ['printwatches', 'on|off'],
  ['quit', ''],
  ['close', ''],
  ['create', '[-s] [-e] [-c] [-t ttl] path [data] [acl]'],
  ['delete', '[-v version] path'],
  ['deleteall', 'path [-b batch size]'],
  ['set', '[-s] [-v version] path data'],
  ['get', '[-s] [-w] path'],
  ['ls', '[-s] [-w] [-R] path'],
  ['getAcl', '[-s] path'],
  ['setAcl', '[-s] [-v version] [-R] path acl'],
  ['stat', '[-w] path'],
  ['sync', 'path'],
  ['setquota', '-n|-b|-N|-B val path'],
  ['listquota', 'path'],
  ['delquota', '[-n|-b|-N|-B] path'],
  ['addauth', 'scheme auth'],
  [
    'reconfig',
    '[-s] [-v version] [[-file path] | [-members serverID=host:port1:port2;port3[,...]*]] | [-add serverId=host:port1:port2;port3[,...]]* [-remove serverId[,...]*]',
  ],
  ['config', '[-c] [-w] [-s]'],
  ['removewatches', 'path [-c|-d|-a] [-l]'],
  ['getEphemerals', 'path'],
  ['getAllChildrenNumber', 'path'],
  ['version', ''],
  ['addWatch', `[-m mode] path # optional mode is one of [${ADD_WATCH_MODES.join(', ')}] - default is PERSISTENT_RECURSIVE`],
  ['whoami', ''],
]);

/** ZooKeeperMain.getCommands(): sorted as Java sorts strings (UTF-16 code units). */
export const COMMAND_NAMES: readonly string[] = [...COMMAND_USAGE.keys()].sort();

const usageOf = (cmd: string): string => `${cmd} ${COMMAND_USAGE.get(cmd) ?? ''}`;

/** ZooKeeperMain.usage(), printed on stderr. */
export function usageText(): string {
  return `ZooKeeper -server host:port -client-configuration properties-file cmd args\n${COMMAND_NAMES.map((c) => `\t${usageOf(c)}\n`).join('')}`;
}

/** Integer.parseInt (radix 10), failing like the JVM does when zkCli does not catch it. */
export function javaParseInt(text: string): number {
  if (/^[+-]?\d+$/.test(text)) {
    const n = Number(text);
    if (n >= -2147483648 && n <= 2147483647) return n;
  }
  throw new JavaCrash('java.lang.NumberFormatException', `For input string: "${text}"`);
}

/** Integer.decode: decimal, 0x / # hex, 0 octal, optional sign. */
export function javaDecodeInt(text: string): number {
  const m = /^([+-]?)(0[xX]|#|0(?=[0-7]))?([0-9a-fA-F]+)$/.exec(text);
  if (m) {
    const radix = m[2] === undefined ? 10 : m[2] === '0' ? 8 : 16;
    const digits = m[3]!;
    const valid = radix === 10 ? /^\d+$/ : radix === 8 ? /^[0-7]+$/ : /^[0-9a-fA-F]+$/;
    if (valid.test(digits)) {
      const n = (m[1] === '-' ? -1 : 1) * parseInt(digits, radix);
      if (n >= -2147483648 && n <= 2147483647) return n;
    }
  }
  throw new JavaCrash('java.lang.NumberFormatException', `For input string: "${text}"`);
}

/** Long.parseLong, or undefined. */
function javaParseLong(text: string | undefined): bigint | undefined {
  if (text === undefined || !/^[+-]?\d+$/.test(text)) return undefined;
  const n = BigInt(text);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

/** Java's List.toString. */
const javaList = (items: readonly string[]): string => `[${items.join(', ')}]`;

/** ZooKeeper.States names, as the prompt shows them. */
function javaStateName(state: ClientState): string {
  switch (state) {
    case 'connecting':
    case 'disconnected':
      return 'CONNECTING';
    case 'connected':
      return 'CONNECTED';
    case 'expired':
    case 'closed':
      return 'CLOSED';
    case 'auth-failed':
      return 'AUTH_FAILED';
  }
}

/** Watcher.Event.KeeperState of a session event; undefined for states Java does not announce. */
function keeperStateName(state: ClientState): string | undefined {
  switch (state) {
    case 'connected':
      return 'SyncConnected';
    case 'disconnected':
      return 'Disconnected';
    case 'expired':
      return 'Expired';
    case 'closed':
      return 'Closed';
    case 'auth-failed':
      return 'AuthFailed';
    default:
      return undefined;
  }
}

const isAlive = (client: ZooKeeperClient): boolean => client.state !== 'closed' && client.state !== 'expired' && client.state !== 'auth-failed';

/** A parsed command, ready to run (CliCommand.parse then exec). */
type Exec = () => Promise<void>;
type CommandImpl = (shell: ZkShell, zk: ZooKeeperClient, tokens: string[]) => Exec;

function parseOrThrow(spec: OptionSpec, tokens: readonly string[]): CommandLine {
  try {
    return parseCommandLine(spec, tokens);
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
}

/** The deprecated `cmd path watch` form: the third word becomes "-w" (retainCompatibility). */
function withDeprecatedWatch(shell: ZkShell, spec: OptionSpec, tokens: string[], cl: CommandLine, message: string): CommandLine {
  if (cl.args.length <= 2) return cl;
  const rewritten = [...tokens];
  rewritten[2] = '-w';
  shell.io.err(`${message}\n`);
  return parseOrThrow(spec, rewritten);
}

/** Runs a client call, turning its errors into zkCli's messages. */
async function wrapped<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw wrapError(error);
  }
}

function isNoNode(error: unknown): boolean {
  return error instanceof ZooKeeperError && error.code === -101;
}

/** ZKUtil.visitSubTreeDFS: the node (checked with getData), then per level the children before their subtrees. */
async function visitSubTreeDFS(zk: ZooKeeperClient, path: string, watch: Watcher | false, visit: (path: string) => Promise<void> | void): Promise<void> {
  checkPath(path);
  await zk.getData(path, { watch });
  await visit(path);
  const helper = async (node: string): Promise<void> => {
    let children: string[];
    try {
      children = await zk.getChildren(node, { watch });
    } catch (error) {
      if (isNoNode(error)) return; // deleted meanwhile
      throw error;
    }
    children.sort();
    const base = node === '/' ? '/' : `${node}/`;
    for (const child of children) await visit(base + child);
    for (const child of children) await helper(base + child);
  };
  await helper(path);
}

const COMMANDS: ReadonlyMap<string, CommandImpl> = new Map<string, CommandImpl>([
  [
    'ls',
    (shell, zk, tokens) => {
      const spec = { '?': false, s: false, w: false, R: false };
      let cl = parseOrThrow(spec, tokens);
      if (cl.has('?')) shell.io.out('usage: ls [options] path\n -?   help\n -R   recurse\n -s   stat\n -w   watch\n');
      cl = withDeprecatedWatch(shell, spec, tokens, cl, "'ls path [watch]' has been deprecated. Please use 'ls [-w] path' instead.");
      return async () => {
        if (cl.args.length < 2) throw new CliError(usageOf('ls'));
        const path = cl.args[1]!;
        const watch = cl.has('w') ? shell.watcher : false;
        await wrapped(async () => {
          if (cl.has('R')) {
            await visitSubTreeDFS(zk, path, watch, (p) => shell.io.out(`${p}\n`));
            return;
          }
          checkPath(path);
          const { children, stat } = cl.has('s')
            ? await zk.getChildrenWithStat(path, { watch })
            : { children: await zk.getChildren(path, { watch }), stat: undefined };
          children.sort();
          shell.io.out(`${javaList(children)}\n`);
          if (stat) shell.io.out(shell.stat(stat));
        });
      };
    },
  ],
  [
    'create',
    (shell, zk, tokens) => {
      const cl = parseOrThrow({ e: false, s: false, c: false, t: true }, tokens);
      if (cl.args.length < 2) throw new CliError(usageOf('create'));
      return async () => {
        const hasE = cl.has('e');
        const hasS = cl.has('s');
        const hasC = cl.has('c');
        const hasT = cl.has('t');
        if (hasC && (hasE || hasS)) throw new CliError('-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.');
        const ttl = hasT ? javaParseLong(cl.value('t')) : 0n;
        if (ttl === undefined) throw new CliError('-t argument must be a long value');
        if (hasT && hasE) throw new CliError('TTLs cannot be used with Ephemeral znodes');
        if (hasT && hasC) throw new CliError('TTLs cannot be used with Container znodes');
        let mode: CreateMode;
        if (hasE && hasS) mode = 'ephemeralSequential';
        else if (hasE) mode = 'ephemeral';
        else if (hasS) mode = hasT ? 'persistentSequentialWithTTL' : 'persistentSequential';
        else if (hasC) mode = 'container';
        else mode = hasT ? 'persistentWithTTL' : 'persistent';
        const TTL_MAX = 0xff_ffff_ffffn;
        if (hasT && (ttl > TTL_MAX || ttl <= 0n)) throw new CliError(`ttl must be positive and cannot be larger than: ${TTL_MAX}`);
        const path = cl.args[1]!;
        const data = cl.args.length > 2 ? cl.args[2]! : null;
        let acl: readonly ACL[] = OPEN_ACL_UNSAFE;
        if (cl.args.length > 3) acl = shell.parseAcl(cl.args[3]!);
        checkPath(path, hasS);
        const invalidAcl = (p: string | undefined): CliError => {
          shell.io.err(`${keeperMessage(-114, p)}\n`);
          return wrapError(new ZooKeeperError(-114, p));
        };
        if (acl.length === 0) throw invalidAcl(undefined);
        let created: string;
        try {
          created = await zk.create(path, data, hasT ? { mode, acl, ttl: Number(ttl) } : { mode, acl });
        } catch (error) {
          if (error instanceof ZooKeeperError && error.code === -114) throw invalidAcl(error.path);
          throw wrapError(error);
        }
        shell.io.err(`Created ${created}\n`);
      };
    },
  ],
  [
    'get',
    (shell, zk, tokens) => {
      const spec = { s: false, w: false };
      let cl = parseOrThrow(spec, tokens);
      if (cl.args.length < 2) throw new CliError(usageOf('get'));
      cl = withDeprecatedWatch(shell, spec, tokens, cl, "'get path [watch]' has been deprecated. Please use 'get [-s] [-w] path' instead.");
      return async () => {
        const path = cl.args[1]!;
        checkPath(path);
        const { data, stat } = await wrapped(() => zk.getData(path, { watch: cl.has('w') ? shell.watcher : false }));
        // null data prints as "null" (the client may hand back null for a node created without data)
        const bytes = data as Buffer | null;
        shell.io.out(`${bytes === null ? 'null' : bytes.toString('utf8')}\n`);
        if (cl.has('s')) shell.io.out(shell.stat(stat));
      };
    },
  ],
  [
    'set',
    (shell, zk, tokens) => {
      const cl = parseOrThrow({ s: false, v: true }, tokens);
      if (cl.args.length < 3) throw new CliError(usageOf('set'));
      return async () => {
        const path = cl.args[1]!;
        const data = cl.args[2]!;
        const version = cl.has('v') ? javaParseInt(cl.value('v') ?? '') : -1;
        checkPath(path);
        const stat = await wrapped(() => zk.setData(path, data, version));
        if (cl.has('s')) shell.io.out(shell.stat(stat));
      };
    },
  ],
  [
    'stat',
    (shell, zk, tokens) => {
      const spec = { w: false };
      let cl = parseOrThrow(spec, tokens);
      if (cl.args.length < 2) throw new CliError(usageOf('stat'));
      cl = withDeprecatedWatch(shell, spec, tokens, cl, "'stat path [watch]' has been deprecated. Please use 'stat [-w] path' instead.");
      return async () => {
        const path = cl.args[1]!;
        checkPath(path);
        const stat = await wrapped(() => zk.exists(path, { watch: cl.has('w') ? shell.watcher : false }));
        if (stat === null) throw wrapError(new ZooKeeperError(-101, path));
        shell.io.out(shell.stat(stat));
      };
    },
  ],
  [
    'delete',
    (shell, zk, tokens) => {
      const cl = parseOrThrow({ v: true }, tokens);
      if (cl.args.length < 2) throw new CliError(usageOf('delete'));
      if (cl.args.length > 2) shell.io.err("'delete path [version]' has been deprecated. Please use 'delete [-v version] path' instead.\n");
      return async () => {
        const path = cl.args[1]!;
        const version = cl.has('v') ? javaParseInt(cl.value('v') ?? '') : -1;
        checkPath(path);
        await wrapped(() => zk.delete(path, version));
      };
    },
  ],
  [
    'deleteall',
    (shell, zk, tokens) => {
      const cl = parseOrThrow({ b: true }, tokens);
      if (cl.args.length < 2) throw new CliError(usageOf('deleteall'));
      return async () => {
        let batchSize = 1000;
        if (cl.has('b')) {
          const b = cl.value('b') ?? '';
          const n = /^[+-]?\d+$/.test(b) ? Number(b) : NaN;
          if (!Number.isSafeInteger(n) || n < -2147483648 || n > 2147483647) throw new CliError('-b argument must be an int value');
          batchSize = n;
        }
        const path = cl.args[1]!;
        checkPath(path);
        // ZKUtil.deleteRecursive: list the subtree breadth-first, delete from the leaves up in multi batches
        const tree = await wrapped(async () => {
          const list = [path];
          for (let i = 0; i < list.length; i++) {
            const node = list[i]!;
            for (const child of await zk.getChildren(node)) list.push(`${node === '/' ? '' : node}/${child}`);
          }
          return list;
        });
        let success = true;
        let ops: Op[] = [];
        for (let i = tree.length - 1; i >= 0; i--) {
          ops.push({ type: 'delete', path: tree[i]!, version: -1 });
          if (ops.length === batchSize || i === 0) {
            if (!success) break;
            try {
              await zk.multi(ops);
            } catch {
              success = false;
            }
            ops = [];
          }
        }
        if (!success) shell.io.err('Failed to delete some node(s) in the subtree!\n');
      };
    },
  ],
  [
    'getAcl',
    (shell, zk, tokens) => {
      const cl = parseOrThrow({ s: false }, tokens);
      if (cl.args.length < 2) throw new CliError(usageOf('getAcl'));
      return async () => {
        const path = cl.args[1]!;
        checkPath(path);
        const { acl, stat } = await wrapped(() => zk.getACL(path));
        for (const entry of acl) shell.io.out(`${formatAclEntry(entry)}\n`);
        if (cl.has('s')) shell.io.out(shell.stat(stat));
      };
    },
  ],
  [
    'setAcl',
    (shell, zk, tokens) => {
      const cl = parseOrThrow({ s: false, v: true, R: false }, tokens);
      if (cl.args.length < 3) throw new CliError(usageOf('setAcl'));
      return async () => {
        const path = cl.args[1]!;
        const acl = shell.parseAcl(cl.args[2]!);
        const version = cl.has('v') ? javaParseInt(cl.value('v') ?? '') : -1;
        if (cl.has('R')) {
          await wrapped(() =>
            visitSubTreeDFS(zk, path, false, async (p) => {
              if (acl.length === 0) {
                shell.io.out(keeperMessage(-114, undefined));
                return;
              }
              try {
                await zk.setACL(p, acl, version);
              } catch (error) {
                if (!(error instanceof ZooKeeperError)) throw error;
                shell.io.out(keeperMessage(error.code, error.path));
              }
            }),
          );
          return;
        }
        checkPath(path);
        if (acl.length === 0) throw wrapError(new ZooKeeperError(-114, undefined));
        const stat = await wrapped(() => zk.setACL(path, acl, version));
        if (cl.has('s')) shell.io.out(shell.stat(stat));
      };
    },
  ],
  [
    'addauth',
    (_shell, zk, tokens) => {
      const cl = parseOrThrow({}, tokens);
      if (cl.args.length < 2) throw new CliError(usageOf('addauth'));
      return async () => {
        // ZooKeeper.addAuthInfo does not wait for the answer; a rejection ends the session (AuthFailed event)
        zk.addAuth(cl.args[1]!, cl.args.length >= 3 ? cl.args[2]! : Buffer.alloc(0)).catch(() => undefined);
      };
    },
  ],
  [
    'sync',
    (shell, zk, tokens) => {
      const cl = parseOrThrow({}, tokens);
      if (cl.args.length < 2) throw new CliError(usageOf('sync'));
      return async () => {
        const path = cl.args[1]!;
        checkPath(path);
        try {
          await zk.sync(path);
          shell.io.out('Sync is OK\n');
        } catch (error) {
          if (!(error instanceof ZooKeeperError)) throw error;
          shell.io.out(`Sync has failed. rc=${error.code}\n`);
        }
      };
    },
  ],
  [
    'addWatch',
    (shell, zk, tokens) => {
      const cl = parseOrThrow({ m: true }, tokens);
      if (cl.args.length !== 2) throw new CliError(usageOf('addWatch'));
      let mode: AddWatchMode = 'persistentRecursive';
      if (cl.has('m')) {
        const m = (cl.value('m') ?? '').toUpperCase();
        if (m === 'PERSISTENT') mode = 'persistent';
        else if (m === 'PERSISTENT_RECURSIVE') mode = 'persistentRecursive';
        else throw new CliError(usageOf('addWatch'));
      }
      return async () => {
        const path = cl.args[1]!;
        // AddWatchCommand does not catch IllegalArgumentException: a bad path kills zkCli
        const problem = javaPathError(path);
        if (problem !== undefined) throw new JavaCrash('java.lang.IllegalArgumentException', problem);
        await wrapped(() => zk.addWatch(path, shell.watcher, mode));
      };
    },
  ],
  [
    'removewatches',
    (_shell, zk, tokens) => {
      const cl = parseOrThrow({ c: false, d: false, a: false, l: false }, tokens);
      if (cl.args.length < 2) throw new CliError(usageOf('removewatches'));
      return async () => {
        const path = cl.args[1]!;
        let kind: WatcherKind = 'any';
        if (cl.has('c')) kind = 'children';
        else if (cl.has('d')) kind = 'data';
        checkPath(path);
        await wrapped(() => zk.removeAllWatches(path, kind, { local: cl.has('l') }));
      };
    },
  ],
  [
    'getEphemerals',
    (shell, zk, tokens) => {
      const cl = parseOrThrow({}, tokens);
      return async () => {
        const path = cl.args.length < 2 ? '/' : cl.args[1]!;
        checkPath(path);
        const ephemerals = await wrapped(() => zk.getEphemerals(path));
        shell.io.out(`${javaList(ephemerals)}\n`);
      };
    },
  ],
  [
    'getAllChildrenNumber',
    (shell, zk, tokens) => {
      const cl = parseOrThrow({}, tokens);
      return async () => {
        if (cl.args.length < 2) throw new CliError(usageOf('getAllChildrenNumber'));
        const path = cl.args[1]!;
        checkPath(path);
        const n = await wrapped(() => zk.getAllChildrenNumber(path));
        shell.io.out(`${n}\n`);
      };
    },
  ],
  [
    'whoami',
    (shell, zk) => async () => {
      const infos = await wrapped(() => zk.whoAmI());
      shell.io.out('Auth scheme: User\n');
      for (const info of infos) shell.io.out(`${info.authScheme}: ${info.user}\n`);
    },
  ],
  [
    'close',
    (_shell, zk) => async () => {
      await wrapped(() => zk.close());
    },
  ],
  [
    'version',
    (shell) => async () => {
      shell.io.out(`ZooKeeper CLI version: ${shell.versionString}\n`);
    },
  ],
  [
    'config',
    (shell, zk, tokens) => {
      const cl = parseOrThrow({ c: false, w: false, s: false }, tokens);
      return async () => {
        if (cl.has('c')) throw new CliError('config -c is not supported by the paddock shell');
        const { data, stat } = await wrapped(() => zk.getData('/zookeeper/config', { watch: cl.has('w') ? shell.watcher : false }));
        const bytes = data as Buffer | null;
        shell.io.out(`${bytes === null ? 'null' : bytes.toString('utf8')}\n`);
        if (cl.has('s')) shell.io.out(shell.stat(stat));
      };
    },
  ],
  ...['setquota', 'listquota', 'delquota', 'reconfig'].map(
    (name): [string, CommandImpl] => [
      name,
      () => async () => {
        throw new CliError(`${name} is not supported by the paddock shell`);
      },
    ],
  ),
]);

/** One shell session: ZooKeeperMain's state (history, printwatches, the current client). */
export class ZkShell {
  readonly history = new Map<number, string>();
  commandCount = 0;
  printWatches = true;
  exitCode = 0;
  host = '';
  zk: ZooKeeperClient | undefined;
  versionString = '3.8.0-paddock';
  /** The one watcher every command registers (zkCli's default watcher, MyWatcher). */
  readonly watcher: Watcher = (event: WatchedEvent) => this.printEvent(`WatchedEvent state:SyncConnected type:${event.type} path:${event.path}`);
  private lastArgs: string[] = [];
  private quitting = false;

  constructor(
    readonly io: ShellIO,
    private readonly options: ZkShellOptions,
  ) {}

  /** "[zk: host:port(CONNECTED) 3] " */
  prompt(): string {
    return `[zk: ${this.host}(${this.zk ? javaStateName(this.zk.state) : 'CLOSED'}) ${this.commandCount}] `;
  }

  stat(stat: Parameters<typeof formatStat>[0]): string {
    return formatStat(stat, this.options.timeZone);
  }

  /** AclParser.parse with its complaints on stderr. */
  parseAcl(text: string): ACL[] {
    const { acl, warnings } = parseAcl(text);
    for (const w of warnings) this.io.err(`${w}\n`);
    return acl;
  }

  private printEvent(text: string): void {
    if (!this.printWatches) return;
    this.io.out('\nWATCHER::\n');
    this.io.out(`\n${text}\n`);
    if (!this.quitting) this.options.onAsyncOutput?.();
  }

  /** connectToZK: closes a live session, then opens a new one to `host` (not waiting for it, unless -waitforconnection). */
  async connect(host: string): Promise<void> {
    if (this.zk && isAlive(this.zk)) await this.zk.close();
    this.host = host;
    let client: ZooKeeperClient;
    try {
      client = this.options.newClient
        ? this.options.newClient(host, this.options.timeout)
        : new ZooKeeperClient(host, { sessionTimeout: this.options.timeout });
    } catch (error) {
      throw new JavaCrash('java.lang.IllegalArgumentException', error instanceof Error ? error.message : String(error));
    }
    client.on('state', (state) => {
      const name = keeperStateName(state);
      if (name !== undefined) this.printEvent(`WatchedEvent state:${name} type:None path:null`);
    });
    this.zk = client;
    if (this.options.waitForConnection) {
      try {
        await client.waitForConnected(this.options.timeout);
      } catch {
        await client.close();
        throw new JavaCrash('java.io.IOException', `org.apache.zookeeper.KeeperException$ConnectionLossException: ${keeperMessage(-4, undefined)}`);
      }
    }
  }

  /** Children for tab completion (nothing when there is no live session). */
  async listChildren(path: string): Promise<string[]> {
    if (!this.zk || this.zk.state !== 'connected') return [];
    return this.zk.getChildren(path);
  }

  /** One line of input (ZooKeeperMain.executeLine). */
  async executeLine(line: string): Promise<void> {
    if (line === '') return;
    const tokens = tokenizeLine(line);
    // parseCommand leaves the previous command in place for a blank line, and zkCli runs it again
    if (tokens.length > 0) this.lastArgs = tokens;
    this.history.set(this.commandCount, line);
    await this.processCmd(this.lastArgs);
    this.commandCount++;
  }

  /** Runs one command; a CliError is printed on stderr and sets the exit code. */
  async processCmd(args: string[]): Promise<void> {
    try {
      await this.processZKCmd(args);
      this.exitCode = 0;
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      this.exitCode = error.exitCode;
      this.io.err(`${error.message}\n`);
    }
  }

  private async processZKCmd(args: string[]): Promise<void> {
    const cmd = args[0];
    if (cmd === undefined) {
      this.io.err(usageText());
      throw new CliError('No command entered');
    }
    if (!COMMAND_USAGE.has(cmd)) {
      this.io.err(usageText());
      throw new CliError(`Command not found: Command not found ${cmd}`, 127);
    }
    if (cmd === 'quit') {
      this.quitting = true;
      if (this.zk) await this.zk.close();
      throw new ShellExit(this.exitCode);
    } else if (cmd === 'redo' && args.length >= 2) {
      const i = javaDecodeInt(args[1]!);
      if (this.commandCount <= i || i < 0) throw new CliError('Command index out of range');
      const line = this.history.get(i) ?? '';
      const redo = tokenizeLine(line);
      if (redo.length > 0) this.lastArgs = redo;
      if (this.lastArgs[0] === 'redo') throw new CliError('No redoing redos');
      this.history.set(this.commandCount, line);
      await this.processCmd(this.lastArgs);
    } else if (cmd === 'history') {
      for (let i = this.commandCount - 10; i <= this.commandCount; ++i) {
        if (i < 0) continue;
        this.io.out(`${i} - ${this.history.get(i) ?? 'null'}\n`);
      }
    } else if (cmd === 'printwatches') {
      if (args.length === 1) this.io.out(`printwatches is ${this.printWatches ? 'on' : 'off'}\n`);
      else this.printWatches = args[1] === 'on';
    } else if (cmd === 'connect') {
      await this.connect(args.length >= 2 ? args[1]! : this.host);
    }

    // below, commands need a live session
    const zk = this.zk;
    if (!zk || !isAlive(zk)) {
      this.io.out('Not connected\n');
      return;
    }
    const impl = COMMANDS.get(cmd);
    if (impl) await impl(this, zk, [...args])();
  }
}
