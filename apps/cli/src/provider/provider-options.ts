/** Command line of `paddock provider` (pure: parsed and checked without I/O). */
import { UsageError } from '../args.js';

export const PROVIDER_HELP = `Usage: paddock provider --connect <hosts> --service <interface> --port <n> [options] [-- <command...>]

Registers a provider that another process serves under /dubbo/<interface>/providers, as Dubbo's
ZooKeeper registry does: a Java RMI service (rmi://, probed with the JRMP handshake), an HTTP
service (probed with GET /health) or any TCP service. The URL is registered once the endpoint
answers, unregistered after failed probes, registered again when it recovers, and re-created
after a session loss.

With a command after --, the provider process is started and supervised: registered when it
serves, unregistered the moment it exits (paddock exits with its status); SIGTERM/SIGINT
unregister first, then stop the process. Without a command, paddock runs beside an endpoint
that is started some other way, until SIGTERM/SIGINT.

Options:
  --connect <hosts>          ZooKeeper connect string, e.g. 127.0.0.1:2181 (or $PADDOCK_CONNECT)
  --service <interface>      interface name, e.g. com.foo.DemoService
  --port <n>                 the provider's port
  --protocol <name>          rmi (default), http, dubbo, ...
  --host <ip>                advertised host (default 127.0.0.1)
  --application <name>       application parameter (default: the interface's simple name)
  --methods <a,b,...>        methods parameter
  --weight <n>               weight parameter
  --group <g>, --version <v> Dubbo group / version
  --param <key=value>        another URL parameter (repeatable)
  --probe <kind>             jrmp, tcp or http:<path> (default: by protocol)
  --probe-interval <ms>      between probes (default 2000)
  --failure-threshold <n>    failed probes in a row before unregistering (default 2)
  --start-timeout <ms>       how long to wait for the endpoint to answer first (default 60000)
  --session-timeout <ms>     ZooKeeper session timeout (default 10000)
  --auth <scheme:secret>     addAuth before registering, e.g. digest:user:password
  -h, --help                 this help
`;

export type ProbeOption = { kind: 'jrmp' } | { kind: 'tcp' } | { kind: 'http'; path: string };

export interface ProviderCommandOptions {
  connect: string;
  service: string;
  port: number;
  protocol: string;
  host: string;
  application: string;
  methods: string[];
  weight?: number;
  group?: string;
  version?: string;
  parameters: Record<string, string>;
  probe?: ProbeOption;
  probeIntervalMs: number;
  failureThreshold: number;
  startTimeoutMs: number;
  sessionTimeoutMs: number;
  auth?: { scheme: string; secret: string };
  command: string[];
}

const VALUE_OPTIONS = new Set([
  '--connect',
  '--service',
  '--port',
  '--protocol',
  '--host',
  '--application',
  '--methods',
  '--weight',
  '--group',
  '--version',
  '--param',
  '--probe',
  '--probe-interval',
  '--failure-threshold',
  '--start-timeout',
  '--session-timeout',
  '--auth',
]);

function positiveInt(name: string, value: string, { allowZero = false } = {}): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || (!allowZero && n === 0)) throw new UsageError(`${name}: expected a ${allowZero ? 'non-negative' : 'positive'} integer, got "${value}"`);
  return n;
}

function parseProbe(value: string): ProbeOption {
  if (value === 'jrmp' || value === 'tcp') return { kind: value };
  if (value.startsWith('http:')) {
    const path = value.slice('http:'.length) || '/health';
    if (!path.startsWith('/')) throw new UsageError(`--probe http:<path>: the path must start with /, got "${path}"`);
    return { kind: 'http', path };
  }
  throw new UsageError(`--probe: expected jrmp, tcp or http:<path>, got "${value}"`);
}

/** `null` means: print the help. @throws UsageError */
export function parseProviderArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): ProviderCommandOptions | null {
  const values = new Map<string, string>();
  const parameters: Record<string, string> = {};
  let command: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return null;
    if (arg === '--') {
      command = argv.slice(i + 1);
      if (command.length === 0) throw new UsageError('nothing after --: give the provider command or leave -- out');
      break;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (!VALUE_OPTIONS.has(name)) throw new UsageError(arg.startsWith('-') ? `unknown option: ${arg}` : `unexpected argument: ${arg} (put the provider command after --)`);
    const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
    if (name === '--param') {
      const at = value.indexOf('=');
      if (at <= 0) throw new UsageError(`--param: expected key=value, got "${value}"`);
      parameters[value.slice(0, at)] = value.slice(at + 1);
      continue;
    }
    if (values.has(name)) throw new UsageError(`${name} given more than once`);
    values.set(name, value);
  }

  const connect = values.get('--connect') ?? env.PADDOCK_CONNECT;
  if (!connect) throw new UsageError('--connect is required (or set PADDOCK_CONNECT)');
  const service = values.get('--service');
  if (!service) throw new UsageError('--service is required');
  if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(service)) throw new UsageError(`--service: not an interface name: "${service}"`);
  const portText = values.get('--port');
  if (!portText) throw new UsageError('--port is required');
  const port = positiveInt('--port', portText);
  if (port > 65_535) throw new UsageError(`--port: ${port} is not a TCP port`);
  const protocol = values.get('--protocol') ?? 'rmi';
  if (!/^[a-z][a-z0-9+.-]*$/.test(protocol)) throw new UsageError(`--protocol: not a URL scheme: "${protocol}"`);
  const methods = (values.get('--methods') ?? '').split(',').map((m) => m.trim()).filter((m) => m !== '');
  const authText = values.get('--auth');
  let auth: ProviderCommandOptions['auth'];
  if (authText !== undefined) {
    const at = authText.indexOf(':');
    if (at <= 0) throw new UsageError(`--auth: expected scheme:secret, got "${authText}"`);
    auth = { scheme: authText.slice(0, at), secret: authText.slice(at + 1) };
  }
  const probeText = values.get('--probe');
  const weightText = values.get('--weight');
  return {
    connect,
    service,
    port,
    protocol,
    host: values.get('--host') ?? '127.0.0.1',
    application: values.get('--application') ?? service.slice(service.lastIndexOf('.') + 1),
    methods,
    ...(weightText !== undefined ? { weight: positiveInt('--weight', weightText, { allowZero: true }) } : {}),
    ...(values.has('--group') ? { group: values.get('--group')! } : {}),
    ...(values.has('--version') ? { version: values.get('--version')! } : {}),
    parameters,
    ...(probeText !== undefined ? { probe: parseProbe(probeText) } : {}),
    probeIntervalMs: positiveInt('--probe-interval', values.get('--probe-interval') ?? '2000'),
    failureThreshold: positiveInt('--failure-threshold', values.get('--failure-threshold') ?? '2'),
    startTimeoutMs: positiveInt('--start-timeout', values.get('--start-timeout') ?? '60000'),
    sessionTimeoutMs: positiveInt('--session-timeout', values.get('--session-timeout') ?? '10000'),
    ...(auth ? { auth } : {}),
    command,
  };
}
