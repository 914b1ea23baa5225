import { describe, expect, it } from '@jest/globals';
import { FOUR_LETTER_WORDS, isFourLetterWord, resolveFourLetterWhitelist } from './commands.js';
import { formatMetricValue, runFourLetterWord, ZK_NOT_SERVING } from './format.js';
import { nodeEnvironment, paddockFullVersion } from './environment.js';
import type { ConnectionStatsView, FourLetterView, MonitorView, ServerStatsView } from './views.js';

/*
 * Fixtures: the exact bytes a ZooKeeper 3.8.0 standalone server (Debian package, OpenJDK 17,
 * TZ=UTC, 4lw.commands.whitelist=*) answered, captured over a socket. Scenario: one
 * node-zookeeper-client session 0x100000726cb0000 that created ephemerals /e1 and /e2 and set a
 * data watch on /e1, an exists watch on /missing and a child watch on /; plus the connection
 * sending the command.
 */
const VERSION = '3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC';
const SID = 0x100000726cb0000n;

const ZK = {
  srvr:
    `Zookeeper version: ${VERSION}\nLatency min/avg/max: 0/4.0/11\nReceived: 14\nSent: 15\nConnections: 2\n`
    + 'Outstanding: 0\nZxid: 0x3\nMode: standalone\nNode count: 7\n',
  stat:
    `Zookeeper version: ${VERSION}\nClients:\n /127.0.0.1:50814[1](queued=0,recved=6,sent=6)\n`
    + ' /127.0.0.1:50910[0](queued=0,recved=1,sent=0)\n\nLatency min/avg/max: 0/4.0/11\nReceived: 15\n'
    + 'Sent: 16\nConnections: 2\nOutstanding: 0\nZxid: 0x3\nMode: standalone\nNode count: 7\n',
  cons:
    ' /127.0.0.1:50814[1](queued=0,recved=6,sent=6,sid=0x100000726cb0000,lop=GETC,est=1795335000390,'
    + 'to=10000,lcxid=0x4,lzxid=0x3,lresp=480882,llat=1,minlat=0,avglat=4,maxlat=11)\n'
    + ' /127.0.0.1:50830[0](queued=0,recved=1,sent=0)\n\n',
  dump:
    'SessionTracker dump:\nSession Sets (1)/(1):\n1 expire at Sun Nov 22 08:10:11 UTC 2026:\n\t0x100000726cb0000\n'
    + 'ephemeral nodes dump:\nSessions with Ephemerals (1):\n0x100000726cb0000:\n\t/e1\n\t/e2\n'
    + 'Connections dump:\nConnections Sets (2)/(2):\n0 expire at Sun Nov 22 08:10:09 UTC 2026:\n'
    + '2 expire at Sun Nov 22 08:10:19 UTC 2026:\n\tip: /127.0.0.1:50814 sessionId: 0x100000726cb0000\n'
    + '\tip: /127.0.0.1:50844 sessionId: 0x0\n',
  wchs: '1 connections watching 2 paths\nTotal watches:2\n',
  wchc: '0x100000726cb0000\n\t/missing\n\t/e1\n\n',
  wchp: '/missing\n\t0x100000726cb0000\n/e1\n\t0x100000726cb0000\n\n',
  // fresh server, no session: the empty forms
  consEmpty: ' /127.0.0.1:50692[0](queued=0,recved=1,sent=0)\n\n',
  wchsEmpty: '0 connections watching 0 paths\nTotal watches:0\n',
  wchcEmpty: '\n',
  dumpEmpty:
    'SessionTracker dump:\nSession Sets (0)/(0):\nephemeral nodes dump:\nSessions with Ephemerals (0):\n'
    + 'Connections dump:\nConnections Sets (1)/(1):\n1 expire at Sun Nov 22 08:10:09 UTC 2026:\n'
    + '\tip: /127.0.0.1:50768 sessionId: 0x0\n',
  dirs: 'datadir_size: 457\nlogdir_size: 457\n',
  conf:
    'clientPort=22181\nsecureClientPort=-1\ndataDir=/tmp/zkref/data/version-2\ndataDirSize=457\n'
    + 'dataLogDir=/tmp/zkref/data/version-2\ndataLogSize=457\ntickTime=2000\nmaxClientCnxns=60\n'
    + 'minSessionTimeout=4000\nmaxSessionTimeout=40000\nclientPortListenBacklog=-1\nserverId=0\n',
  envi:
    `Environment:\nzookeeper.version=${VERSION}\nhost.name=localhost\njava.version=17.0.15\n`
    + 'java.vendor=Debian\njava.home=/usr/lib/jvm/java-17-openjdk-amd64\njava.class.path=/usr/share/java/zookeeper.jar\n'
    + 'java.library.path=/usr/java/packages/lib:/usr/lib/x86_64-linux-gnu/jni:/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/usr/lib/jni:/lib:/usr/lib\n'
    + 'java.io.tmpdir=/tmp\njava.compiler=<NA>\nos.name=Linux\nos.arch=amd64\nos.version=6.18.44-fc-v669\n'
    + 'user.name=root\nuser.home=/root\nuser.dir=/tmp/zkref\nos.memory.free=369MB\nos.memory.max=6028MB\n'
    + 'os.memory.total=388MB\n',
  // fresh server; the first lines (all gauges) and the first two counters of the real output
  mntr:
    `zk_version\t${VERSION}\nzk_server_state\tstandalone\nzk_ephemerals_count\t0\nzk_num_alive_connections\t1\n`
    + 'zk_avg_latency\t0.0\nzk_outstanding_requests\t0\nzk_znode_count\t5\nzk_global_sessions\t0\n'
    + 'zk_non_mtls_remote_conn_count\t0\nzk_last_client_response_size\t-1\nzk_packets_sent\t1\n'
    + 'zk_packets_received\t1\nzk_max_client_response_size\t-1\nzk_connection_drop_probability\t0.0\n'
    + 'zk_watch_count\t0\nzk_auth_failed_count\t0\nzk_min_latency\t0\nzk_max_file_descriptor_count\t20000\n'
    + 'zk_approximate_data_size\t44\nzk_open_file_descriptor_count\t38\nzk_local_sessions\t0\nzk_uptime\t6671\n'
    + 'zk_max_latency\t0\nzk_outstanding_tls_handshake\t0\nzk_min_client_response_size\t-1\n'
    + 'zk_non_mtls_local_conn_count\t0\nzk_proposal_count\t0\nzk_watch_bytes\t0\n',
};

const utc = (h: number, m: number, s: number): number => Date.UTC(2026, 10, 22, h, m, s);

function connection(port: number, extra: Partial<ConnectionStatsView> = {}): ConnectionStatsView {
  return {
    remoteAddress: '127.0.0.1',
    remotePort: port,
    interestOps: 0,
    outstandingRequests: 0,
    packetsReceived: 1,
    packetsSent: 0,
    sessionId: 0n,
    lastOperation: 'NA',
    established: 1795335000000,
    sessionTimeout: 0,
    lastCxid: -1,
    lastZxid: -1n,
    lastResponseTime: 0,
    lastLatency: 0,
    minLatency: 0,
    avgLatency: 0,
    maxLatency: 0,
    ...extra,
  };
}

const SESSION_CNXN = connection(50814, {
  interestOps: 1,
  packetsReceived: 6,
  packetsSent: 6,
  sessionId: SID,
  lastOperation: 'GETC',
  established: 1795335000390,
  sessionTimeout: 10000,
  lastCxid: 4,
  lastZxid: 3n,
  lastResponseTime: 480882,
  lastLatency: 1,
  minLatency: 0,
  avgLatency: 4,
  maxLatency: 11,
});

const STATS: ServerStatsView = {
  version: VERSION,
  mode: 'standalone',
  minLatency: 0,
  avgLatency: 4,
  maxLatency: 11,
  packetsReceived: 14,
  packetsSent: 15,
  numAliveConnections: 2,
  outstandingRequests: 0,
  lastProcessedZxid: 3n,
  nodeCount: 7,
};

const MONITOR: MonitorView = {
  uptime: 6671,
  watchCount: 0,
  ephemeralsCount: 0,
  approximateDataSize: 44,
  globalSessions: 0,
  localSessions: 0,
  openFileDescriptorCount: 38,
  maxFileDescriptorCount: 20000,
  connectionDropProbability: 0,
  clientResponseSizes: { last: -1, min: -1, max: -1 },
  outstandingTlsHandshake: 0,
  authFailedCount: 0,
  nonMtlsRemoteConnCount: 0,
  nonMtlsLocalConnCount: 0,
  extra: [['proposal_count', 0], ['watch_bytes', 0]],
};

function view(over: Partial<FourLetterView> = {}): FourLetterView {
  return {
    isServing: () => true,
    stats: () => STATS,
    connections: () => [SESSION_CNXN, connection(50830)],
    watchSummary: () => ({ connections: 1, paths: 2, totalWatches: 2 }),
    watchesBySession: () => [{ sessionId: SID, paths: ['/missing', '/e1'] }],
    watchesByPath: () => [
      { path: '/missing', sessionIds: [SID] },
      { path: '/e1', sessionIds: [SID] },
    ],
    dump: () => ({
      sessionExpiry: [{ expiresAt: utc(8, 10, 11), items: [SID] }],
      ephemerals: [{ sessionId: SID, paths: ['/e1', '/e2'] }],
      connectionExpiry: [
        // given out of order: printed by time
        { expiresAt: utc(8, 10, 19), items: [{ remoteAddress: '127.0.0.1', remotePort: 50814, sessionId: SID }, { remoteAddress: '127.0.0.1', remotePort: 50844, sessionId: 0n }] },
        { expiresAt: utc(8, 10, 9), items: [] },
      ],
    }),
    conf: () => ({
      clientPort: 22181,
      secureClientPort: -1,
      dataDir: '/tmp/zkref/data/version-2',
      dataDirSize: 457,
      dataLogDir: '/tmp/zkref/data/version-2',
      dataLogSize: 457,
      tickTime: 2000,
      maxClientCnxns: 60,
      minSessionTimeout: 4000,
      maxSessionTimeout: 40000,
      clientPortListenBacklog: -1,
      serverId: 0,
    }),
    environment: () => [
      ['zookeeper.version', VERSION],
      ['host.name', 'localhost'],
      ['java.version', '17.0.15'],
      ['java.vendor', 'Debian'],
      ['java.home', '/usr/lib/jvm/java-17-openjdk-amd64'],
      ['java.class.path', '/usr/share/java/zookeeper.jar'],
      ['java.library.path', '/usr/java/packages/lib:/usr/lib/x86_64-linux-gnu/jni:/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/usr/lib/jni:/lib:/usr/lib'],
      ['java.io.tmpdir', '/tmp'],
      ['java.compiler', '<NA>'],
      ['os.name', 'Linux'],
      ['os.arch', 'amd64'],
      ['os.version', '6.18.44-fc-v669'],
      ['user.name', 'root'],
      ['user.home', '/root'],
      ['user.dir', '/tmp/zkref'],
      ['os.memory.free', '369MB'],
      ['os.memory.max', '6028MB'],
      ['os.memory.total', '388MB'],
    ],
    dirs: () => ({ dataDirSize: 457, logDirSize: 457 }),
    monitor: () => MONITOR,
    ...over,
  };
}

const ALL = FOUR_LETTER_WORDS;
const run = (cmd: string, v: FourLetterView = view(), whitelist: Iterable<string> = ALL) =>
  runFourLetterWord(cmd, v, whitelist);
const out = (cmd: string, v?: FourLetterView): string | undefined => run(cmd, v)?.output;

describe('four-letter words match ZooKeeper 3.8 byte for byte', () => {
  it('ruok', () => expect(out('ruok')).toBe('imok'));
  it('isro', () => expect(out('isro')).toBe('rw'));
  it('srvr', () => expect(out('srvr')).toBe(ZK.srvr));

  it('stat', () => {
    const v = view({
      stats: () => ({ ...STATS, packetsReceived: 15, packetsSent: 16 }),
      connections: () => [SESSION_CNXN, connection(50910)],
    });
    expect(out('stat', v)).toBe(ZK.stat);
  });

  it('cons', () => expect(out('cons')).toBe(ZK.cons));
  it('dump', () => expect(out('dump')).toBe(ZK.dump));
  it('wchs', () => expect(out('wchs')).toBe(ZK.wchs));
  it('wchc', () => expect(out('wchc')).toBe(ZK.wchc));
  it('wchp', () => expect(out('wchp')).toBe(ZK.wchp));
  it('dirs', () => expect(out('dirs')).toBe(ZK.dirs));
  it('conf', () => expect(out('conf')).toBe(ZK.conf));
  it('envi', () => expect(out('envi')).toBe(ZK.envi));

  it('mntr', () => {
    const v = view({ stats: () => ({ ...STATS, avgLatency: 0, maxLatency: 0, packetsReceived: 1, packetsSent: 1, numAliveConnections: 1, lastProcessedZxid: 0n, nodeCount: 5 }) });
    expect(out('mntr', v)).toBe(ZK.mntr);
  });

  it('crst and srst, asking the caller to reset', () => {
    expect(run('crst')).toEqual({ output: 'Connection stats reset.\n', reset: 'connections' });
    expect(run('srst')).toEqual({ output: 'Server stats reset.\n', reset: 'server' });
  });

  it('the empty forms on a fresh server', () => {
    const fresh = view({
      connections: () => [connection(50692)],
      watchSummary: () => ({ connections: 0, paths: 0, totalWatches: 0 }),
      watchesBySession: () => [],
      watchesByPath: () => [],
      dump: () => ({
        sessionExpiry: [],
        ephemerals: [],
        connectionExpiry: [{ expiresAt: utc(8, 10, 9), items: [{ remoteAddress: '127.0.0.1', remotePort: 50768, sessionId: 0n }] }],
      }),
    });
    expect(out('cons', fresh)).toBe(ZK.consEmpty);
    expect(out('wchs', fresh)).toBe(ZK.wchsEmpty);
    expect(out('wchc', fresh)).toBe(ZK.wchcEmpty);
    expect(out('wchp', fresh)).toBe(ZK.wchcEmpty);
    expect(out('dump', fresh)).toBe(ZK.dumpEmpty);
  });
});

describe('whitelist', () => {
  it('answers "<cmd> is not executed because it is not in the whitelist." for a disabled word', () => {
    expect(run('ruok', view(), ['srvr'])).toEqual({ output: 'ruok is not executed because it is not in the whitelist.\n' });
    expect(run('mntr', view(), new Set(['srvr']))).toEqual({ output: 'mntr is not executed because it is not in the whitelist.\n' });
  });

  it('checks the whitelist before anything else (no reset for a blocked crst)', () => {
    expect(run('crst', view({ isServing: () => false }), ['srvr'])).toEqual({ output: 'crst is not executed because it is not in the whitelist.\n' });
  });

  it("uses ZooKeeper's default (srvr only) with the config's whitelist", () => {
    const whitelist = resolveFourLetterWhitelist(undefined);
    expect(run('srvr', view(), whitelist)?.output).toBe(ZK.srvr);
    for (const w of FOUR_LETTER_WORDS.filter((x) => x !== 'srvr')) {
      expect(run(w, view(), whitelist)?.output).toBe(`${w} is not executed because it is not in the whitelist.\n`);
    }
  });

  it('resolves whitelist values like FourLetterCommands.isEnabled', () => {
    expect(resolveFourLetterWhitelist(' stat ,, ruok ')).toEqual(['ruok', 'srvr', 'stat']);
    expect(resolveFourLetterWhitelist('ruok', { readOnlyModeEnabled: true })).toEqual(['ruok', 'srvr', 'isro']);
    expect(resolveFourLetterWhitelist('ruok, *')).toHaveLength(18);
    expect(() => resolveFourLetterWhitelist('ruok,xyzw')).toThrow('unknown four-letter word "xyzw"');
  });

  it('returns null for words Paddock does not know (they are a frame length)', () => {
    expect(run('gtmk')).toBeNull();
    expect(run('abcd')).toBeNull();
    expect(isFourLetterWord('mntr')).toBe(true);
    expect(isFourLetterWord('hash')).toBe(false);
  });
});

describe('not serving', () => {
  const down = view({
    isServing: () => false,
    stats: () => {
      throw new Error('must not be read while not serving');
    },
  });

  it.each(['srvr', 'stat', 'cons', 'crst', 'srst', 'dump', 'conf', 'wchs', 'wchc', 'wchp', 'dirs', 'mntr'])('%s', (cmd) => {
    expect(run(cmd, down)).toEqual({ output: `${ZK_NOT_SERVING}\n` });
    expect(run(cmd, down)?.output).toBe('This ZooKeeper instance is not currently serving requests\n');
  });

  it('ruok still answers imok, envi still answers, isro answers null', () => {
    expect(out('ruok', down)).toBe('imok');
    expect(out('envi', down)).toBe(ZK.envi);
    expect(out('isro', down)).toBe('null');
  });
});

describe('roles', () => {
  it('read-only: isro says ro and srvr adds the READ-ONLY line', () => {
    const ro = view({ stats: () => ({ ...STATS, mode: 'read-only' }) });
    expect(out('isro', ro)).toBe('ro');
    expect(out('srvr', ro)).toBe(
      `Zookeeper version: ${VERSION}\nREAD-ONLY mode; serving only read-only clients\nLatency min/avg/max: 0/4.0/11\n`
      + 'Received: 14\nSent: 15\nConnections: 2\nOutstanding: 0\nZxid: 0x3\nMode: read-only\nNode count: 7\n',
    );
  });

  it('leader: srvr adds proposal sizes; stats print zxid as unsigned hex and a rounded average', () => {
    const leader = view({
      stats: () => ({ ...STATS, mode: 'leader', avgLatency: 100 / 7, lastProcessedZxid: 0x500000003n, proposalSizes: { last: 36, min: 36, max: 120 } }),
    });
    expect(out('srvr', leader)).toBe(
      `Zookeeper version: ${VERSION}\nLatency min/avg/max: 0/14.2857/11\nReceived: 14\nSent: 15\nConnections: 2\n`
      + 'Outstanding: 0\nZxid: 0x500000003\nMode: leader\nNode count: 7\nProposal sizes last/min/max: 36/36/120\n',
    );
  });

  it('follower: no proposal sizes', () => {
    const f = view({ stats: () => ({ ...STATS, mode: 'follower', proposalSizes: { last: 1, min: 1, max: 1 } }) });
    expect(out('srvr', f)).toContain('Mode: follower\nNode count: 7\n');
    expect(out('srvr', f)).not.toContain('Proposal');
  });

  it('quorum conf: QuorumZooKeeperServer.dumpConf, ending in version=<hex> without a newline', () => {
    const q = view({
      conf: () => ({
        ...view().conf(),
        clientPort: 2181,
        serverId: 2,
        quorum: {
          initLimit: 10,
          syncLimit: 5,
          electionAlg: 3,
          electionPorts: [3888],
          quorumPorts: [2888],
          peerType: 'participant',
          configVersion: 0x100000000n,
          members: [
            { id: 3, host: 'zk3', quorumPort: 2888, electionPort: 3888, type: 'observer', clientAddress: null, clientPort: null },
            { id: 1, host: 'zk1', quorumPort: 2888, electionPort: 3888, type: 'participant', clientAddress: '0.0.0.0', clientPort: 2181 },
            { id: 2, host: 'fe80::2', quorumPort: 2888, electionPort: 3888, type: 'participant', clientAddress: '::1', clientPort: 2181 },
          ],
        },
      }),
    });
    expect(out('conf', q)).toBe(
      'clientPort=2181\nsecureClientPort=-1\ndataDir=/tmp/zkref/data/version-2\ndataDirSize=457\n'
      + 'dataLogDir=/tmp/zkref/data/version-2\ndataLogSize=457\ntickTime=2000\nmaxClientCnxns=60\n'
      + 'minSessionTimeout=4000\nmaxSessionTimeout=40000\nclientPortListenBacklog=-1\nserverId=2\n'
      + 'initLimit=10\nsyncLimit=5\nelectionAlg=3\nelectionPort=3888\nquorumPort=2888\npeerType=0\n'
      + 'membership: \n'
      + 'server.1=zk1:2888:3888:participant;0.0.0.0:2181\n'
      + 'server.2=[fe80::2]:2888:3888:participant;[::1]:2181\n'
      + 'server.3=zk3:2888:3888:observer\n'
      + 'version=100000000',
    );
  });

  it('leader mntr adds peer_state, quorum_size and the leader gauges after the standard ones', () => {
    const lines = out('mntr', view({
      stats: () => ({ ...STATS, mode: 'leader' }),
      monitor: () => ({
        ...MONITOR,
        extra: undefined,
        peerState: 'leading - broadcast',
        quorumSize: 3,
        leader: { learners: 2, syncedFollowers: 2, syncedNonVotingFollowers: 0, syncedObservers: 0, pendingSyncs: 0, leaderUptime: 1234, proposalSizes: { last: 36, min: 36, max: 120 } },
      }),
    }))!.split('\n');
    expect(lines.slice(0, 3)).toEqual([`zk_version\t${VERSION}`, 'zk_server_state\tleader', 'zk_peer_state\tleading - broadcast']);
    expect(lines.slice(-11)).toEqual([
      'zk_quorum_size\t3',
      'zk_learners\t2',
      'zk_synced_followers\t2',
      'zk_synced_non_voting_followers\t0',
      'zk_synced_observers\t0',
      'zk_pending_syncs\t0',
      'zk_leader_uptime\t1234',
      'zk_last_proposal_size\t36',
      'zk_max_proposal_size\t120',
      'zk_min_proposal_size\t36',
      '',
    ]);
  });

  it('mntr omits file descriptor counts where unknown and prints the rounded average as a double', () => {
    const text = out('mntr', view({
      stats: () => ({ ...STATS, avgLatency: 2 / 3 }),
      monitor: () => ({ ...MONITOR, openFileDescriptorCount: undefined, maxFileDescriptorCount: undefined }),
    }))!;
    expect(text).toContain('zk_avg_latency\t0.6667\n');
    expect(text).not.toContain('file_descriptor');
  });
});

describe('connections', () => {
  it('cons prints IPv6 peers like Java and omits lcxid when there was none', () => {
    const c = connection(4000, { remoteAddress: '::1', sessionId: 0xabcn, lastOperation: 'SESS', sessionTimeout: 30000, lastZxid: -1n, interestOps: 5, avgLatency: 2.9 });
    expect(out('cons', view({ connections: () => [c] }))).toBe(
      ' /[0:0:0:0:0:0:0:1]:4000[5](queued=0,recved=1,sent=0,sid=0xabc,lop=SESS,est=1795335000000,to=30000,'
      + 'lzxid=0xffffffffffffffff,lresp=0,llat=0,minlat=0,avglat=2,maxlat=0)\n\n',
    );
  });
});

describe('formatMetricValue (MonitorCommand.print)', () => {
  it.each<[Parameters<typeof formatMetricValue>[0], string]>([
    [5, '5'],
    [-1, '-1'],
    [12n, '12'],
    [0.5, '0.5'],
    [{ double: 0 }, '0.0'],
    [{ double: 3 }, '3.0'],
    ['standalone', 'standalone'],
    [null, 'null'],
  ])('%p -> %s', (v, s) => {
    expect(formatMetricValue(v)).toBe(s);
  });
});

describe('environment helpers', () => {
  it('builds a version string that starts with the ZooKeeper version', () => {
    expect(paddockFullVersion('0.1.0', '2025-01-01 00:00 UTC')).toBe('3.8.4-paddock-0.1.0, built on 2025-01-01 00:00 UTC');
    expect(paddockFullVersion('0.1.0')).toMatch(/^3\.8\.4-/);
  });

  it("lists ZooKeeper's envi keys first, in order", () => {
    const env = nodeEnvironment('3.8.4-paddock-0.1.0, built on unknown');
    expect(env.slice(0, 18).map(([k]) => k)).toEqual([
      'zookeeper.version', 'host.name', 'java.version', 'java.vendor', 'java.home', 'java.class.path',
      'java.library.path', 'java.io.tmpdir', 'java.compiler', 'os.name', 'os.arch', 'os.version',
      'user.name', 'user.home', 'user.dir', 'os.memory.free', 'os.memory.max', 'os.memory.total',
    ]);
    expect(env[0]).toEqual(['zookeeper.version', '3.8.4-paddock-0.1.0, built on unknown']);
    expect(env.find(([k]) => k === 'os.memory.max')?.[1]).toMatch(/^\d+MB$/);
  });

  it('envi output parses with kazoo\'s version regex', () => {
    const text = out('envi', view({ environment: () => nodeEnvironment(paddockFullVersion('0.1.0')) }))!;
    const m = /[\w\s:.]*=([\d.]*).*/s.exec(text);
    expect(m?.[1]).toBe('3.8.4');
  });
});
