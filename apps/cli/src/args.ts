/**
 * Command-line parsing for `paddock`. Pure: no I/O, so it can be tested alone.
 */
import type { ServerFlags } from '@paddock/server';

export type CliCommand =
  | { readonly kind: 'help'; readonly topic: 'main' | 'server' }
  | { readonly kind: 'version' }
  | { readonly kind: 'server'; readonly config: string }
  | { readonly kind: 'server'; readonly flags: ServerFlags }
  | { readonly kind: 'shell'; readonly args: readonly string[] }
  | { readonly kind: 'bench'; readonly args: readonly string[] }
  | { readonly kind: 'provider'; readonly args: readonly string[] };

/** Bad command line: print the message and the usage hint, exit 2. */
export class UsageError extends Error {
  /** Which help text to point at. */
  readonly topic: 'main' | 'server';

  constructor(message: string, topic: 'main' | 'server' = 'main') {
    super(message);
    this.name = 'UsageError';
    this.topic = topic;
  }
}

export const MAIN_HELP = `Usage: paddock <command> [options]

Commands:
  server     Run a ZooKeeper 3.8-compatible server (a standalone server or one ensemble member)
  shell      ZooKeeper shell, zkCli.sh-compatible: paddock shell [-server host:port] [-timeout ms] [cmd args]
  bench      Benchmark a server, or Paddock against Apache ZooKeeper 3.8 (paddock bench --help)
  provider   Register (and supervise) an RMI/HTTP/TCP provider in the Dubbo registry (paddock provider --help)
  version    Print the Paddock version
  help       Print this help ('paddock help server' for the server options)
`;

export const SERVER_HELP = `Usage: paddock server --config <zoo.cfg>
       paddock server --data-dir <dir> [--port <n>] [options]

Runs a ZooKeeper 3.8-compatible server until SIGINT or SIGTERM, then shuts down cleanly.

Options:
  -c, --config <file>              zoo.cfg to read: ZooKeeper's keys and defaults; unknown keys
                                   and bad values are errors (a lone argument is read as --config)
  -d, --data-dir <dir>             snapshots and myid (zoo.cfg: dataDir)
  -p, --port <n>                   client port, 0 for any free port (default 2181)
      --data-log-dir <dir>         transaction logs (default: the data dir)
      --tick-time <ms>             (default 3000, as ZooKeeper)
      --max-client-cnxns <n>       connections per client IP, 0 = unlimited (default 60)
      --client-port-address <ip>   address to listen on (default: all interfaces)
      --4lw <list>                 enabled four-letter words, e.g. "srvr,ruok,mntr" or "*"
                                   (default: srvr only, as ZooKeeper)
  -h, --help                       show this help

Exit status: 0 after a clean shutdown, 2 for usage or configuration errors, 1 otherwise.
`;

type FlagName = 'port' | 'dataDir' | 'dataLogDir' | 'tickTime' | 'maxClientCnxns' | 'clientPortAddress' | 'fourLetterWords';

const SERVER_OPTIONS: ReadonlyMap<string, 'config' | FlagName> = new Map([
  ['--config', 'config'],
  ['-c', 'config'],
  ['--port', 'port'],
  ['-p', 'port'],
  ['--data-dir', 'dataDir'],
  ['-d', 'dataDir'],
  ['--data-log-dir', 'dataLogDir'],
  ['--tick-time', 'tickTime'],
  ['--max-client-cnxns', 'maxClientCnxns'],
  ['--client-port-address', 'clientPortAddress'],
  ['--4lw', 'fourLetterWords'],
] as const);

/** The canonical (long) spelling of each option, for messages. */
const LONG_NAME: Readonly<Record<'config' | FlagName, string>> = {
  config: '--config',
  port: '--port',
  dataDir: '--data-dir',
  dataLogDir: '--data-log-dir',
  tickTime: '--tick-time',
  maxClientCnxns: '--max-client-cnxns',
  clientPortAddress: '--client-port-address',
  fourLetterWords: '--4lw',
};

/**
 * Parses `process.argv.slice(2)`.
 *
 * @throws UsageError
 */
export function parseArgs(argv: readonly string[]): CliCommand {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      throw new UsageError('missing command');
    case 'help':
    case '--help':
    case '-h':
      if (rest.length === 0) return { kind: 'help', topic: 'main' };
      if (rest.length === 1 && rest[0] === 'server') return { kind: 'help', topic: 'server' };
      throw new UsageError(`no help for ${rest.join(' ')}`);
    case 'version':
    case '--version':
    case '-v':
      if (rest.length > 0) throw new UsageError(`unexpected argument: ${rest[0]}`);
      return { kind: 'version' };
    case 'server':
      return parseServerArgs(rest);
    case 'shell':
      // zkCli.sh's own options and commands (parsed by the shell)
      return { kind: 'shell', args: rest };
    case 'bench':
      // parsed by the benchmark itself (paddock bench --help)
      return { kind: 'bench', args: rest };
    case 'provider':
      // parsed by the provider command (paddock provider --help)
      return { kind: 'provider', args: rest };
    default:
      throw new UsageError(command.startsWith('-') ? `unknown option: ${command}` : `unknown command: ${command}`);
  }
}

function parseServerArgs(args: readonly string[]): CliCommand {
  const values = new Map<'config' | FlagName, string>();
  const set = (name: 'config' | FlagName, value: string, spelled: string): void => {
    if (values.has(name)) throw new UsageError(`${LONG_NAME[name]} given more than once`, 'server');
    if (value === '') throw new UsageError(`${spelled} needs a non-empty value`, 'server');
    values.set(name, value);
  };

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--help' || arg === '-h') return { kind: 'help', topic: 'server' };
    if (arg === '--') {
      for (const positional of args.slice(i + 1)) set('config', positional, 'the zoo.cfg argument');
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      set('config', arg, 'the zoo.cfg argument');
      continue;
    }
    const eq = arg.indexOf('=');
    const spelled = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg;
    const name = SERVER_OPTIONS.get(spelled);
    if (name === undefined) throw new UsageError(`unknown option: ${spelled}`, 'server');
    let value: string;
    if (spelled !== arg) {
      value = arg.slice(eq + 1);
    } else {
      const next = args[i + 1];
      if (next === undefined || (next.startsWith('-') && next.length > 1 && !/^-\d/.test(next))) {
        throw new UsageError(`${spelled} needs a value`, 'server');
      }
      value = next;
      i++;
    }
    set(name, value, spelled);
  }

  const config = values.get('config');
  if (config !== undefined) {
    const others = [...values.keys()].filter((k) => k !== 'config');
    if (others.length > 0) {
      throw new UsageError(`--config cannot be combined with ${others.map((k) => LONG_NAME[k]).join(', ')} (put those settings in the zoo.cfg)`, 'server');
    }
    return { kind: 'server', config };
  }
  const dataDir = values.get('dataDir');
  if (dataDir === undefined) {
    throw new UsageError('either --config <zoo.cfg> or --data-dir <dir> is required', 'server');
  }
  const flags: { -readonly [K in keyof ServerFlags]: ServerFlags[K] } = { dataDir };
  const port = values.get('port');
  if (port !== undefined) flags.port = port;
  const dataLogDir = values.get('dataLogDir');
  if (dataLogDir !== undefined) flags.dataLogDir = dataLogDir;
  const tickTime = values.get('tickTime');
  if (tickTime !== undefined) flags.tickTime = tickTime;
  const maxClientCnxns = values.get('maxClientCnxns');
  if (maxClientCnxns !== undefined) flags.maxClientCnxns = maxClientCnxns;
  const clientPortAddress = values.get('clientPortAddress');
  if (clientPortAddress !== undefined) flags.clientPortAddress = clientPortAddress;
  const fourLetterWords = values.get('fourLetterWords');
  if (fourLetterWords !== undefined) flags.fourLetterWords = fourLetterWords;
  return { kind: 'server', flags };
}
