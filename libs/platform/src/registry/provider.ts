/**
 * Provider SDK: registers one provider URL as an ephemeral node under `/dubbo/{service}/providers`, keeps it
 * registered (re-created when deleted, after a reconnect, and under the new session after a session loss:
 * PersistentEphemeralNode over a Framework that renews sessions), and self-checks that the node exists and is
 * owned by its own session (dubbo#2972: a lost registration went unnoticed).
 *
 * `startHttpProvider` serves a service over node:http and registers it: `POST /{service}/{method}` with a JSON
 * body `{"args": [...]}` answers `{"result": ...}`; a handler that throws answers 500
 * `{"error": message, "business": true}` (consumers do not fail over on business errors).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventEmitter } from 'node:events';
import { PersistentEphemeralNode, toFramework, type ClientLike, type Framework } from '@paddock/recipes';
import { DEFAULT_DUBBO_ROOT, DubboUrl, urlPath } from './url.js';

export interface ProviderOptions {
  /** Interface name, e.g. `com.foo.DemoService`. */
  service: string;
  application: string;
  /** Default `http`. */
  protocol?: string;
  host: string;
  port: number;
  methods: readonly string[];
  weight?: number;
  group?: string;
  version?: string;
  /** More URL parameters. */
  parameters?: Record<string, string>;
  root?: string;
  /** Registration timestamp (default now). */
  timestamp?: number;
}

/** The provider URL the way Dubbo writes it. */
export function providerUrl(o: ProviderOptions): DubboUrl {
  const parameters: Record<string, string> = {
    anyhost: 'false',
    application: o.application,
    dubbo: '2.0.2',
    dynamic: 'true',
    generic: 'false',
    interface: o.service,
    methods: [...o.methods].sort().join(','),
    pid: String(process.pid),
    side: 'provider',
    timestamp: String(o.timestamp ?? Date.now()),
    ...(o.weight !== undefined ? { weight: String(o.weight) } : {}),
    ...(o.group ? { group: o.group } : {}),
    ...(o.version ? { version: o.version } : {}),
    ...o.parameters,
  };
  return new DubboUrl({ protocol: o.protocol ?? 'http', host: o.host, port: o.port, path: o.service, parameters });
}

export type ProviderRegistrationEvents = {
  registered: [path: string];
  error: [error: unknown];
};

export class ProviderRegistration extends EventEmitter<ProviderRegistrationEvents> {
  readonly url: DubboUrl;
  readonly path: string;
  private readonly framework: Framework;
  private readonly node: PersistentEphemeralNode;

  constructor(client: ClientLike, options: ProviderOptions) {
    super();
    this.framework = toFramework(client);
    this.url = providerUrl(options);
    this.path = urlPath(this.url, 'providers', options.root ?? DEFAULT_DUBBO_ROOT);
    // Dubbo (through Curator) stores the local IP as the node data
    this.node = new PersistentEphemeralNode(this.framework, this.path, options.host);
    this.node.on('created', (p) => this.emit('registered', p));
    this.node.on('error', (e) => this.listenerCount('error') > 0 && this.emit('error', e));
  }

  start(): Promise<void> {
    return this.node.start();
  }

  /** Unregisters (deletes the node if this session owns it). */
  close(): Promise<void> {
    return this.node.close();
  }

  /** True when the node exists and is owned by the current session. */
  async verify(): Promise<boolean> {
    const c = this.framework.client;
    const stat = await c.exists(this.path).catch(() => null);
    return stat !== null && stat.ephemeralOwner === c.sessionId;
  }
}

export type MethodHandler = (...args: unknown[]) => unknown;

export interface HttpProviderOptions extends Omit<ProviderOptions, 'port' | 'methods' | 'host'> {
  handlers: Record<string, MethodHandler>;
  /** Advertised host (default 127.0.0.1); the server listens on it too unless `listenHost` is given. */
  host?: string;
  listenHost?: string;
  /** 0 (default): any free port. */
  port?: number;
}

export interface HttpProvider {
  readonly url: DubboUrl;
  readonly port: number;
  readonly registration: ProviderRegistration;
  readonly server: http.Server;
  /** Unregisters, then stops the server. */
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startHttpProvider(client: ClientLike, options: HttpProviderOptions): Promise<HttpProvider> {
  const host = options.host ?? '127.0.0.1';
  const prefix = `/${options.service}/`;
  const server = http.createServer((req, res) => {
    void (async () => {
      const send = (status: number, body: unknown) => {
        const text = JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      if (req.method === 'GET' && req.url === '/health') return send(200, { ok: true });
      if (req.method !== 'POST' || !req.url?.startsWith(prefix)) return send(404, { error: 'not found' });
      const method = decodeURIComponent(req.url.slice(prefix.length));
      const handler = Object.prototype.hasOwnProperty.call(options.handlers, method) ? options.handlers[method] : undefined;
      if (!handler) return send(404, { error: `no method ${method}` });
      let args: unknown[] = [];
      try {
        const text = await readBody(req);
        const parsed = text === '' ? {} : (JSON.parse(text) as { args?: unknown[] });
        args = Array.isArray(parsed.args) ? parsed.args : [];
      } catch {
        return send(400, { error: 'bad request body' });
      }
      try {
        send(200, { result: await handler(...args) });
      } catch (error) {
        send(500, { error: error instanceof Error ? error.message : String(error), business: true });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.listenHost ?? host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const registration = new ProviderRegistration(client, { ...options, host, port, methods: Object.keys(options.handlers) });
  try {
    await registration.start();
  } catch (error) {
    server.close();
    throw error;
  }
  return {
    url: registration.url,
    port,
    registration,
    server,
    async close() {
      await registration.close().catch(() => undefined);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
