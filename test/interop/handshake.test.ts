/**
 * What each client really puts on the wire, seen through a recording proxy, and what the server
 * must do about it:
 *  - the ConnectRequest comes with (C client, kazoo, Java/zkCli) or without (node-zookeeper-client)
 *    the trailing readOnly byte, and the ConnectResponse must mirror that form;
 *  - a session kept alive by pings alone (2.5 session timeouts of idle) must survive, and every
 *    ping must be answered promptly.
 * All four clients run side by side, each through its own proxy, with a 2 s session timeout.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import zookeeper from 'node-zookeeper-client';
import ZooKeeper from 'zookeeper';
import { ZK_CLI_SH } from '../support/apache-zookeeper.js';
import { withTimeout } from '../support/async.js';
import type { ServerHandle } from '../support/paddock.js';
import { runCommand, sleep, spawnManaged } from '../support/processes.js';
import {
  OP_PING,
  PING_XID,
  TcpProxy,
  parseConnectRequest,
  parseConnectResponse,
  replies,
  requests,
  type ConnectRequestInfo,
  type ConnectResponseInfo,
} from '../support/tcp-proxy.js';
import { startInteropTarget, targetKind } from './interop-target.js';

const SESSION_MS = 2_000;
const IDLE_MS = 5_000;
const ROOT = '/handshake';

type ClientName = 'nzc' | 'c' | 'kazoo' | 'zkcli';
const CLIENTS: ClientName[] = ['nzc', 'c', 'kazoo', 'zkcli'];

interface RunOutcome {
  alive: boolean;
  owner: boolean;
  /** ends the session (closeSession); called once every client is done */
  close: () => Promise<void>;
}

interface Observation {
  request: ConnectRequestInfo;
  response: ConnectResponseInfo;
  pings: number[];
  pingReplyDelays: number[];
  aliveAfterIdle: boolean;
  ownerMatches: boolean;
}

const KAZOO_SNIPPET = `
import json, sys, time
from kazoo.client import KazooClient
hosts, node, idle_s = sys.argv[1], sys.argv[2], float(sys.argv[3])
c = KazooClient(hosts=hosts, timeout=${SESSION_MS / 1000})
c.start(timeout=15)
c.create(node, b'k', ephemeral=True)
print(json.dumps({'session': '0x%x' % c.client_id[0]}), flush=True)
time.sleep(idle_s)
print(json.dumps({'alive': c.exists(node) is not None, 'state': c.state}), flush=True)
sys.stdin.readline()  # the test checks the node from outside, then lets us close
c.stop()
c.close()
`;

describe(`client handshakes and keep-alive against ${targetKind()}`, () => {
  let server: ServerHandle;
  const proxies = new Map<ClientName, TcpProxy>();
  const observed = new Map<ClientName, Observation>();
  const errors = new Map<ClientName, unknown>();
  const closers: Array<() => Promise<void>> = [];
  let zkcliStarted: () => void = () => undefined;

  async function checkOwner(node: string, sessionId: bigint): Promise<boolean> {
    // a direct (unproxied) observer: is the node there, owned by that session?
    const observer = zookeeper.createClient(server.connectString, { sessionTimeout: 10_000 });
    const connected = new Promise<void>((resolve) => observer.once('connected', () => resolve()));
    observer.connect();
    try {
      await withTimeout(connected, 10_000, 'observer connect');
      const stat = await withTimeout(
        new Promise<{ ephemeralOwner: Buffer } | null>((resolve, reject) =>
          observer.exists(node, undefined, (error, s) => (error ? reject(error) : resolve(s))),
        ),
        10_000,
        `exists ${node}`,
      );
      return stat !== null && stat.ephemeralOwner.readBigInt64BE(0) === sessionId;
    } finally {
      observer.close();
    }
  }

  async function runNzc(proxy: TcpProxy): Promise<RunOutcome> {
    const node = `${ROOT}/nzc`;
    const client = zookeeper.createClient(proxy.connectString, { sessionTimeout: SESSION_MS, retries: 0 });
    const connected = new Promise<void>((resolve) => client.once('connected', () => resolve()));
    client.connect();
    try {
      await withTimeout(connected, 10_000, 'nzc connect');
      await withTimeout(
        new Promise<void>((resolve, reject) =>
          client.create(node, Buffer.from('n'), zookeeper.CreateMode.EPHEMERAL, (e) => (e ? reject(e) : resolve())),
        ),
        10_000,
        'nzc create',
      );
      await sleep(IDLE_MS);
      const owner = await checkOwner(node, client.getSessionId().readBigInt64BE(0));
      const alive = client.getState() === zookeeper.State.SYNC_CONNECTED;
      return { alive, owner, close: async () => client.close() };
    } catch (error) {
      client.close();
      throw error;
    }
  }

  async function runC(proxy: TcpProxy): Promise<RunOutcome> {
    const node = `${ROOT}/c`;
    const client = new ZooKeeper({
      connect: proxy.connectString,
      timeout: SESSION_MS,
      debug_level: ZooKeeper.constants.ZOO_LOG_LEVEL_ERROR,
      host_order_deterministic: false,
    });
    const connected = new Promise<void>((resolve) => client.once('connect', () => resolve()));
    client.init({});
    try {
      await withTimeout(connected, 10_000, 'C client connect');
      await withTimeout(client.create(node, 'c', ZooKeeper.constants.ZOO_EPHEMERAL) as Promise<string>, 10_000, 'C create');
      await sleep(IDLE_MS);
      const owner = await checkOwner(node, BigInt(`0x${client.client_id as unknown as string}`));
      const alive = (await withTimeout(client.pathExists(node, false) as Promise<boolean>, 10_000, 'C exists')) === true;
      // zookeeper_close() blocks the event loop until the server's reply (or a timeout): through this
      // in-process proxy it cannot get one, so close only after every client is done
      return { alive, owner, close: async () => client.close() };
    } catch (error) {
      client.close();
      throw error;
    }
  }

  async function runKazoo(proxy: TcpProxy): Promise<RunOutcome> {
    const node = `${ROOT}/kazoo`;
    const child = spawnManaged({
      name: 'kazoo-handshake',
      command: '/usr/bin/python3',
      args: ['-c', KAZOO_SNIPPET, proxy.connectString, node, String(IDLE_MS / 1000)],
      stdin: 'pipe',
    });
    const first = await child.waitForOutput(/^(\{"session".*\})$/m, { timeoutMs: 20_000 });
    const session = BigInt((JSON.parse(first[1] as string) as { session: string }).session);
    const second = await child.waitForOutput(/^(\{"alive".*\})$/m, { timeoutMs: IDLE_MS + 15_000 });
    const owner = await checkOwner(node, session);
    const alive = (JSON.parse(second[1] as string) as { alive: boolean }).alive;
    const close = async () => {
      child.write('close\n');
      child.endInput();
      await withTimeout(child.exited, 10_000, 'kazoo exit').catch(() => child.kill());
    };
    return { alive, owner, close };
  }

  async function runZkCli(proxy: TcpProxy): Promise<RunOutcome> {
    const node = `${ROOT}/zkcli`;
    const cli = spawnManaged({
      name: 'zkcli-handshake',
      command: ZK_CLI_SH,
      args: ['-timeout', String(SESSION_MS), '-server', proxy.connectString],
      env: { CLIENT_JVMFLAGS: '-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1' },
      stdin: 'pipe',
      mergeStderr: true,
    });
    try {
      await cli.waitForOutput(/type:None path:null/, { timeoutMs: 30_000 });
      await sleep(300);
      zkcliStarted();
      cli.write(`create -e ${node} z\n`);
      await cli.waitForOutput(`Created ${node}`, { timeoutMs: 10_000 });
      await sleep(IDLE_MS);
      const since = cli.outputOffset;
      cli.write(`stat ${node}\n`);
      const stat = await cli.waitForOutput(/ephemeralOwner = (0x[0-9a-f]+)/, { since, timeoutMs: 10_000 });
      const owner = await checkOwner(node, BigInt(stat[1] as string));
      const alive = !/Expired|Disconnected/.test(cli.output());
      const close = async () => {
        cli.write('quit\n');
        cli.endInput();
        await withTimeout(cli.exited, 10_000, 'zkCli quit').catch(() => cli.kill());
      };
      return { alive, owner, close };
    } catch (error) {
      zkcliStarted();
      await cli.kill();
      throw error;
    }
  }

  beforeAll(async () => {
    server = await startInteropTarget();
    const setup = await runCommand({
      name: 'zkcli-setup',
      command: ZK_CLI_SH,
      args: ['-server', server.connectString, 'create', ROOT, 'x'],
      env: { CLIENT_JVMFLAGS: '-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1' },
      timeoutMs: 60_000,
    });
    expect(setup.output).toContain(`Created ${ROOT}`);
    for (const name of CLIENTS) proxies.set(name, await new TcpProxy(server.host, server.port).start());
    const runners: Record<ClientName, (proxy: TcpProxy) => Promise<RunOutcome>> = {
      nzc: runNzc,
      c: runC,
      kazoo: runKazoo,
      zkcli: runZkCli,
    };
    // zkCli first: its JVM start hogs both cores for a moment, and kazoo drops a connection whose
    // ping reply is late by more than ~(timeout/3 - 0.4 s) of select timeout
    const zkcliConnected = new Promise<void>((resolve) => (zkcliStarted = resolve));
    await Promise.all(
      CLIENTS.map(async (name) => {
        if (name !== 'zkcli') await withTimeout(zkcliConnected, 30_000, 'zkCli to connect').catch(() => undefined);
        const proxy = proxies.get(name) as TcpProxy;
        try {
          const { alive, owner, close } = await runners[name](proxy);
          closers.push(close);
          const connection = proxy.connections[0];
          if (!connection) throw new Error(`${name} never connected through the proxy`);
          const request = parseConnectRequest(connection.toServer[0]?.payload as Buffer);
          const response = parseConnectResponse(connection.toClient[0]?.payload as Buffer);
          const pingRequests = requests(connection).filter((r) => r.xid === PING_XID && r.type === OP_PING);
          const pingReplies = replies(connection).filter((r) => r.xid === PING_XID);
          observed.set(name, {
            request,
            response,
            pings: pingRequests.map((r) => r.at),
            pingReplyDelays: pingRequests
              .map((r) => (pingReplies.find((reply) => reply.at >= r.at)?.at ?? Number.NaN) - r.at)
              .filter((d) => !Number.isNaN(d)),
            aliveAfterIdle: alive,
            ownerMatches: owner,
          });
        } catch (error) {
          errors.set(name, error);
        }
      }),
    );
    for (const close of closers) await close().catch(() => undefined);
    if (process.env.INTEROP_VERBOSE) {
      for (const [name, o] of observed) {
        const gaps = o.pings.slice(1).map((t, i) => t - (o.pings[i] as number));
        process.stderr.write(
          `${name}: request ${o.request.payloadLength} B readOnly=${o.request.readOnly} timeout=${o.request.timeoutMs}; ` +
            `response ${o.response.payloadLength} B readOnly=${o.response.readOnly} timeout=${o.response.timeoutMs}; ` +
            `pings at ${JSON.stringify(o.pings)} gaps ${JSON.stringify(gaps)} replyDelays ${JSON.stringify(o.pingReplyDelays)}\n`,
        );
      }
    }
  }, 90_000);

  afterAll(async () => {
    for (const proxy of proxies.values()) await proxy.stop();
    await server?.stop();
  });

  function observation(name: ClientName): Observation {
    const error = errors.get(name);
    if (error) throw error;
    const o = observed.get(name);
    if (!o) throw new Error(`no observation for ${name}`);
    return o;
  }

  const EXPECTED_READONLY_BYTE: Record<ClientName, boolean> = { nzc: false, c: true, kazoo: true, zkcli: true };

  test.each(CLIENTS)('%s: the ConnectResponse mirrors the ConnectRequest form', (name) => {
    const { request, response } = observation(name);
    expect(request.protocolVersion).toBe(0);
    expect(request.sessionId).toBe(0n);
    expect(request.timeoutMs).toBe(SESSION_MS);
    expect(request.passwordLength).toBe(16);
    expect(request.readOnly !== undefined).toBe(EXPECTED_READONLY_BYTE[name]);
    expect(request.payloadLength).toBe(EXPECTED_READONLY_BYTE[name] ? 45 : 44);
    if (request.readOnly !== undefined) expect(request.readOnly).toBe(false);

    expect(response.protocolVersion).toBe(0);
    expect(response.timeoutMs).toBe(SESSION_MS);
    expect(response.sessionId).not.toBe(0n);
    expect(response.passwordLength).toBe(16);
    // optional trailing byte: present in the answer exactly when the client sent it
    expect(response.readOnly !== undefined).toBe(request.readOnly !== undefined);
    expect(response.payloadLength).toBe(request.readOnly === undefined ? 36 : 37);
    if (response.readOnly !== undefined) expect(response.readOnly).toBe(false);
  });

  test.each(CLIENTS)('%s: a session kept alive by pings alone survives 2.5 timeouts of idle', (name) => {
    const o = observation(name);
    expect(o.aliveAfterIdle).toBe(true);
    expect(o.ownerMatches).toBe(true);
    // every client pings at least every timeout/2 when idle
    expect(o.pings.length).toBeGreaterThanOrEqual(Math.floor(IDLE_MS / (SESSION_MS / 2)));
    // and the server answers each ping promptly
    expect(o.pingReplyDelays.length).toBeGreaterThanOrEqual(o.pings.length - 1);
    for (const delay of o.pingReplyDelays) expect(delay).toBeLessThan(500);
  });
});
