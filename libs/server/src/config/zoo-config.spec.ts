import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, isConfigError } from './config-error.js';
import { configFromFlags, loadZooConfig, parseMyId, parseZooConfig, type ServerConfig } from './zoo-config.js';

/** zoo_sample.cfg as shipped with ZooKeeper 3.8 (and Debian's /etc/zookeeper/conf/zoo.cfg). */
const ZOO_SAMPLE = `# The number of milliseconds of each tick
tickTime=2000
# The number of ticks that the initial 
# synchronization phase can take
initLimit=10
# The number of ticks that can pass between 
# sending a request and getting an acknowledgement
syncLimit=5
# the directory where the snapshot is stored.
# do not use /tmp for storage, /tmp here is just 
# example sakes.
dataDir=/tmp/zookeeper
# the port at which the clients will connect
clientPort=2181
# the maximum number of client connections.
# increase this if you need to handle more clients
#maxClientCnxns=60
#
# Be sure to read the maintenance section of the 
# administrator guide before turning on autopurge.
#
# https://zookeeper.apache.org/doc/current/zookeeperAdmin.html#sc_maintenance
#
# The number of snapshots to retain in dataDir
#autopurge.snapRetainCount=3
# Purge task interval in hours
# Set to "0" to disable auto purge feature
#autopurge.purgeInterval=1

## Metrics Providers
#
# https://prometheus.io Metrics Exporter
#metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider
#metricsProvider.httpHost=0.0.0.0
#metricsProvider.httpPort=7000
#metricsProvider.exportJvmInfo=true
`;

const MINIMAL = 'dataDir=/var/lib/zk\nclientPort=2181\n';

const parse = (text: string, options?: Parameters<typeof parseZooConfig>[2]): ServerConfig =>
  parseZooConfig(text, 'zoo.cfg', options);

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const messageOf = (text: string, options?: Parameters<typeof parseZooConfig>[2]): string =>
  errorOf(() => parse(text, options)).message;

describe('parseZooConfig: zoo_sample.cfg', () => {
  it('parses the sample shipped with ZooKeeper', () => {
    const c = parse(ZOO_SAMPLE);
    expect(c).toMatchObject({
      configFile: 'zoo.cfg',
      tickTime: 2000,
      initLimit: 10,
      syncLimit: 5,
      dataDir: '/tmp/zookeeper',
      dataLogDir: '/tmp/zookeeper',
      clientPort: 2181,
      clientPortAddress: null,
      maxClientCnxns: 60,
      minSessionTimeout: 4000,
      maxSessionTimeout: 40000,
      distributed: false,
      servers: [],
      warnings: [],
      ignored: [],
    });
  });
});

describe('parseZooConfig: defaults (ZooKeeper 3.8)', () => {
  const c = parse(MINIMAL);
  it.each<[keyof ServerConfig | string, unknown]>([
    ['configFile', 'zoo.cfg'],
    ['tickTime', 3000], // ZooKeeperServer.DEFAULT_TICK_TIME
    ['initLimit', 0],
    ['syncLimit', 0],
    ['connectToLearnerMasterLimit', 0],
    ['dataDir', '/var/lib/zk'],
    ['dataLogDir', '/var/lib/zk'],
    ['clientPort', 2181],
    ['clientPortAddress', null],
    ['clientPortListenBacklog', -1],
    ['maxClientCnxns', 60],
    ['minSessionTimeout', 6000],
    ['maxSessionTimeout', 60000],
    ['globalOutstandingLimit', 1000],
    ['localSessionsEnabled', false],
    ['localSessionsUpgradingEnabled', false],
    ['snapCount', 100000],
    ['snapSizeLimitInKb', 4194304],
    ['preAllocSizeKb', 65536],
    ['forceSync', true],
    ['fsyncWarningThresholdMs', 1000],
    ['flushDelay', 0],
    ['maxWriteQueuePollTime', 0],
    ['maxBatchSize', 1000],
    ['autopurge', { snapRetainCount: 3, purgeInterval: 0 }],
    ['extendedTypesEnabled', false],
    ['enforceQuota', false],
    ['juteMaxBuffer', 0xfffff],
    ['skipACL', false],
    ['superDigest', null],
    ['container', { checkIntervalMs: 60000, maxPerMinute: 10000, maxNeverUsedIntervalMs: 0 }],
    ['authProviders', {}],
    ['fourLetterWordWhitelist', ['srvr']],
    ['serverId', null],
    ['servers', []],
    ['configVersion', 0n],
    ['peerType', 'participant'],
    ['electionAlg', 3],
    ['standaloneEnabled', true],
    ['reconfigEnabled', false],
    ['syncEnabled', true],
    ['leaderServes', true],
    ['cnxTimeout', 5000],
    ['quorumListenOnAllIPs', false],
    ['observerMasterPort', 0],
    ['readonlyModeEnabled', false],
    ['dynamicConfigFile', null],
    ['distributed', false],
    ['ignored', []],
    ['warnings', []],
  ])('%s', (key, expected) => {
    expect((c as unknown as Record<string, unknown>)[key]).toEqual(expected);
  });

  it('has no other fields than the ones checked above', () => {
    expect(Object.keys(c)).toHaveLength(50);
  });

  it('derives session timeouts from tickTime (2x and 20x)', () => {
    const t = parse(`${MINIMAL}tickTime=500\n`);
    expect([t.minSessionTimeout, t.maxSessionTimeout]).toEqual([1000, 10000]);
  });

  it('derives maxWriteQueuePollTime from flushDelay / 3', () => {
    expect(parse(`${MINIMAL}flushDelay=10\n`).maxWriteQueuePollTime).toBe(3);
  });
});

describe('parseZooConfig: every key', () => {
  const cases: [line: string, pick: (c: ServerConfig) => unknown, expected: unknown][] = [
    ['tickTime=2000', (c) => c.tickTime, 2000],
    ['initLimit=10', (c) => c.initLimit, 10],
    ['syncLimit=5', (c) => c.syncLimit, 5],
    ['connectToLearnerMasterLimit=7', (c) => c.connectToLearnerMasterLimit, 7],
    ['dataLogDir=/fast/log', (c) => c.dataLogDir, '/fast/log'],
    ['clientPortAddress=127.0.0.1', (c) => c.clientPortAddress, '127.0.0.1'],
    ['clientPortListenBacklog=128', (c) => c.clientPortListenBacklog, 128],
    ['maxClientCnxns=0', (c) => c.maxClientCnxns, 0],
    ['minSessionTimeout=1000', (c) => c.minSessionTimeout, 1000],
    ['maxSessionTimeout=90000', (c) => c.maxSessionTimeout, 90000],
    ['globalOutstandingLimit=5000', (c) => c.globalOutstandingLimit, 5000],
    ['localSessionsEnabled=true', (c) => c.localSessionsEnabled, true],
    ['localSessionsUpgradingEnabled=TRUE', (c) => c.localSessionsUpgradingEnabled, true],
    ['snapCount=5000', (c) => c.snapCount, 5000],
    ['snapSizeLimitInKb=1024', (c) => c.snapSizeLimitInKb, 1024],
    ['snapSizeLimitInKb=-1', (c) => c.snapSizeLimitInKb, -1],
    ['preAllocSize=1024', (c) => c.preAllocSizeKb, 1024],
    ['forceSync=no', (c) => c.forceSync, false],
    ['forceSync=yes', (c) => c.forceSync, true],
    ['fsync.warningthresholdms=50', (c) => c.fsyncWarningThresholdMs, 50],
    ['flushDelay=20', (c) => c.flushDelay, 20],
    ['maxWriteQueuePollTime=2', (c) => c.maxWriteQueuePollTime, 2],
    ['maxBatchSize=10', (c) => c.maxBatchSize, 10],
    ['autopurge.snapRetainCount=10', (c) => c.autopurge.snapRetainCount, 10],
    ['autopurge.purgeInterval=24', (c) => c.autopurge.purgeInterval, 24],
    ['extendedTypesEnabled=true', (c) => c.extendedTypesEnabled, true],
    ['zookeeper.extendedTypesEnabled=true', (c) => c.extendedTypesEnabled, true],
    ['enforceQuota=true', (c) => c.enforceQuota, true],
    ['jute.maxbuffer=4194304', (c) => c.juteMaxBuffer, 4194304],
    ['jute.maxbuffer=0x3fffff', (c) => c.juteMaxBuffer, 0x3fffff],
    ['skipACL=yes', (c) => c.skipACL, true],
    ['skipACL=no', (c) => c.skipACL, false],
    ['DigestAuthenticationProvider.superDigest=super:D/InIHSb7yEEbrWz8b9l71RjZJU=', (c) => c.superDigest, 'super:D/InIHSb7yEEbrWz8b9l71RjZJU='],
    ['zookeeper.DigestAuthenticationProvider.superDigest=super:D/InIHSb7yEEbrWz8b9l71RjZJU=', (c) => c.superDigest, 'super:D/InIHSb7yEEbrWz8b9l71RjZJU='],
    ['superDigest=super:D/InIHSb7yEEbrWz8b9l71RjZJU=', (c) => c.superDigest, 'super:D/InIHSb7yEEbrWz8b9l71RjZJU='],
    ['znode.container.checkIntervalMs=1000', (c) => c.container.checkIntervalMs, 1000],
    ['znode.container.maxPerMinute=5', (c) => c.container.maxPerMinute, 5],
    ['znode.container.maxNeverUsedIntervalMs=30000', (c) => c.container.maxNeverUsedIntervalMs, 30000],
    ['authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider', (c) => c.authProviders, { 1: 'org.apache.zookeeper.server.auth.SASLAuthenticationProvider' }],
    ['4lw.commands.whitelist=stat, ruok, conf, isro', (c) => c.fourLetterWordWhitelist, ['conf', 'ruok', 'srvr', 'stat', 'isro']],
    ['4lw.commands.whitelist=*', (c) => c.fourLetterWordWhitelist, ['conf', 'cons', 'crst', 'dirs', 'dump', 'envi', 'ruok', 'srst', 'srvr', 'stat', 'wchc', 'wchp', 'wchs', 'mntr', 'isro', 'gtmk', 'stmk', 'hash']],
    ['zookeeper.4lw.commands.whitelist=mntr', (c) => c.fourLetterWordWhitelist, ['srvr', 'mntr']],
    ['4lw.commands.whitelist=', (c) => c.fourLetterWordWhitelist, ['srvr']],
    ['readonlymode.enabled=true', (c) => c.fourLetterWordWhitelist, ['srvr', 'isro']],
    ['readonlymode.enabled=true', (c) => c.readonlyModeEnabled, true],
    ['electionAlg=3', (c) => c.electionAlg, 3],
    ['peerType=observer', (c) => c.peerType, 'observer'],
    ['peerType=Participant', (c) => c.peerType, 'participant'],
    ['syncEnabled=false', (c) => c.syncEnabled, false],
    ['standaloneEnabled=true', (c) => c.standaloneEnabled, true],
    ['reconfigEnabled=true', (c) => c.reconfigEnabled, true],
    ['quorumListenOnAllIPs=true', (c) => c.quorumListenOnAllIPs, true],
    ['leaderServes=no', (c) => c.leaderServes, false],
    ['cnxTimeout=2000', (c) => c.cnxTimeout, 2000],
    ['observerMasterPort=2191', (c) => c.observerMasterPort, 2191],
    ['multiAddress.enabled=false', (c) => c.servers, []],
    ['clientPort=0', (c) => c.clientPort, 0],
  ];
  it.each(cases)('%s', (line, pick, expected) => {
    const text = line.startsWith('clientPort=') ? `dataDir=/d\n${line}\n` : `${MINIMAL}${line}\n`;
    expect(pick(parse(text))).toEqual(expected);
  });

  it('accepts and ignores admin.*, metricsProvider.* and jvm.pause.* keys, recording them', () => {
    const c = parse(`${MINIMAL}admin.enableServer=false\nadmin.serverPort=8080\nmetricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider\nmetricsProvider.httpPort=7000\njvm.pause.monitor=true\n`);
    expect(c.ignored.map((i) => [i.key, i.line])).toEqual([
      ['admin.enableServer', 3],
      ['admin.serverPort', 4],
      ['metricsProvider.className', 5],
      ['metricsProvider.httpPort', 6],
      ['jvm.pause.monitor', 7],
    ]);
  });

  it('raises autopurge.snapRetainCount below 3 to 3 with a warning, like ZooKeeper', () => {
    const c = parse(`${MINIMAL}autopurge.snapRetainCount=1\n`);
    expect(c.autopurge.snapRetainCount).toBe(3);
    expect(c.warnings).toEqual(['autopurge.snapRetainCount: 1 is below the minimum, using 3']);
  });

  it('raises snapCount below 2 to 2 with a warning, like ZooKeeper', () => {
    const c = parse(`${MINIMAL}snapCount=1\n`);
    expect(c.snapCount).toBe(2);
    expect(c.warnings).toEqual(['snapCount: 1 is below the minimum, using 2']);
  });

  it('warns about whitelisted ZooKeeper words Paddock does not answer', () => {
    expect(parse(`${MINIMAL}4lw.commands.whitelist=gtmk\n`).warnings).toEqual([
      '4lw.commands.whitelist: "gtmk" is a ZooKeeper command Paddock does not answer',
    ]);
  });
});

describe('parseZooConfig: errors name file, line and key', () => {
  it.each<[text: string, message: string]>([
    ['dataDir=/d\nclientPort=2181\n\n\n\n\ntickTime=abc', 'zoo.cfg:7: tickTime: expected a positive integer, got "abc"'],
    [`${MINIMAL}tickTime=0`, 'zoo.cfg:3: tickTime: expected a positive integer, got "0"'],
    [`${MINIMAL}tickTime=-5`, 'zoo.cfg:3: tickTime: expected a positive integer, got "-5"'],
    [`${MINIMAL}tickTime=2000 # ms`, 'zoo.cfg:3: tickTime: expected a positive integer, got "2000 # ms" (comments must be on a line of their own)'],
    [`${MINIMAL}tickTime=1.5`, 'zoo.cfg:3: tickTime: expected a positive integer, got "1.5"'],
    [`${MINIMAL}tickTime=2147483648`, 'zoo.cfg:3: tickTime: expected a positive integer, got "2147483648"'],
    ['dataDir=/d\nclientPort=http', 'zoo.cfg:2: clientPort: expected a port number (0-65535), got "http"'],
    ['dataDir=/d\nclientPort=65536', 'zoo.cfg:2: clientPort: expected a port number (0-65535), got "65536"'],
    [`${MINIMAL}maxClientCnxns=-1`, 'zoo.cfg:3: maxClientCnxns: expected a non-negative integer, got "-1"'],
    [`${MINIMAL}minSessionTimeout=x`, 'zoo.cfg:3: minSessionTimeout: expected a positive integer, got "x"'],
    [`${MINIMAL}initLimit=ten`, 'zoo.cfg:3: initLimit: expected a positive integer, got "ten"'],
    [`${MINIMAL}syncLimit=`, 'zoo.cfg:3: syncLimit: expected a positive integer, got ""'],
    [`${MINIMAL}snapCount=lots`, 'zoo.cfg:3: snapCount: expected a positive integer, got "lots"'],
    [`${MINIMAL}preAllocSize=64M`, 'zoo.cfg:3: preAllocSize: expected a non-negative integer, got "64M"'],
    [`${MINIMAL}autopurge.purgeInterval=-1`, 'zoo.cfg:3: autopurge.purgeInterval: expected a non-negative integer, got "-1"'],
    [`${MINIMAL}globalOutstandingLimit=0`, 'zoo.cfg:3: globalOutstandingLimit: expected a positive integer, got "0"'],
    [`${MINIMAL}jute.maxbuffer=1MB`, 'zoo.cfg:3: jute.maxbuffer: expected a positive integer (decimal or 0x hex), got "1MB"'],
    [`${MINIMAL}extendedTypesEnabled=yes`, 'zoo.cfg:3: extendedTypesEnabled: expected true or false, got "yes"'],
    [`${MINIMAL}zookeeper.enforceQuota=1`, 'zoo.cfg:3: zookeeper.enforceQuota: expected true or false, got "1"'],
    [`${MINIMAL}standaloneEnabled=no`, 'zoo.cfg:3: standaloneEnabled: expected true or false, got "no"'],
    [`${MINIMAL}skipACL=true`, 'zoo.cfg:3: skipACL: expected yes or no, got "true"'],
    [`${MINIMAL}forceSync=false`, 'zoo.cfg:3: forceSync: expected yes or no, got "false"'],
    [`${MINIMAL}electionAlg=1`, 'zoo.cfg:3: electionAlg: only 3 (FastLeaderElection) is supported, got "1"'],
    [`${MINIMAL}peerType=voter`, 'zoo.cfg:3: peerType: expected participant or observer, got "voter"'],
    [`${MINIMAL}superDigest=nocolon`, 'zoo.cfg:3: superDigest: expected <user>:<base64 SHA-1 digest>, got "nocolon"'],
    [`${MINIMAL}4lw.commands.whitelist=srvr, bogus`, 'zoo.cfg:3: 4lw.commands.whitelist: unknown four-letter word "bogus" (known: conf, cons, crst, dirs, dump, envi, ruok, srst, srvr, stat, wchc, wchp, wchs, mntr, isro, gtmk, stmk, hash, or *)'],
    [`${MINIMAL}tickTme=2000`, 'zoo.cfg:3: tickTme: unknown key'],
    [`${MINIMAL}ticktime=2000`, 'zoo.cfg:3: ticktime: unknown key (did you mean tickTime?)'],
    [`${MINIMAL}secureClientPort=2281`, 'zoo.cfg:3: secureClientPort: not supported by Paddock (remove it, or use Apache ZooKeeper for this feature)'],
    [`${MINIMAL}ssl.keyStore.location=/k.jks`, 'zoo.cfg:3: ssl.keyStore.location: not supported by Paddock (remove it, or use Apache ZooKeeper for this feature)'],
    [`${MINIMAL}quorum.auth.enableSasl=true`, 'zoo.cfg:3: quorum.auth.enableSasl: not supported by Paddock (remove it, or use Apache ZooKeeper for this feature)'],
    [`${MINIMAL}multiAddress.enabled=true`, 'zoo.cfg:3: multiAddress.enabled: multiple addresses per server are not supported by Paddock'],
    [`${MINIMAL}tickTime=2000\ntickTime=3000`, 'zoo.cfg:4: tickTime: duplicate key (already set on line 3)'],
    [`${MINIMAL}snapCount=10\nzookeeper.snapCount=20`, 'zoo.cfg:4: zookeeper.snapCount: duplicate key (already set on line 3 as snapCount)'],
    [`${MINIMAL}=5`, 'zoo.cfg:3: missing key before value "5"'],
    [`${MINIMAL}dataLogDir=`, 'zoo.cfg:3: dataLogDir: expected a value, got ""'],
    ['clientPort=2181', 'zoo.cfg: dataDir: required key is missing'],
    ['dataDir=/d', 'zoo.cfg: clientPort: required key is missing (or give this server a ;clientPort in its server.N line)'],
    ['dataDir=/d\nclientPortAddress=127.0.0.1', 'zoo.cfg:2: clientPortAddress: is set but clientPort is not set'],
    [`${MINIMAL}minSessionTimeout=50000\nmaxSessionTimeout=40000`, 'zoo.cfg:3: minSessionTimeout: minSessionTimeout must not be larger than maxSessionTimeout (50000 > 40000)'],
    [`${MINIMAL}maxSessionTimeout=1000`, 'zoo.cfg:3: maxSessionTimeout: minSessionTimeout must not be larger than maxSessionTimeout (6000 > 1000)'],
  ])('%j', (text, message) => {
    expect(messageOf(text)).toBe(message);
  });

  it('exposes file, line, key and reason on the error', () => {
    const err = errorOf(() => parseZooConfig(`${MINIMAL}tickTime=abc`, 'conf/zoo.cfg'));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.name).toBe('ConfigError');
    expect(isConfigError(err)).toBe(true);
    expect([err.file, err.line, err.key, err.reason]).toEqual(['conf/zoo.cfg', 3, 'tickTime', 'expected a positive integer, got "abc"']);
  });
});

describe('parseZooConfig: server.N lines', () => {
  const ENSEMBLE = `${ZOO_SAMPLE}server.1=zk1:2888:3888
server.2=zk2:2888:3888:participant;2181
server.3=10.0.0.3:2888:3888;10.0.0.3:2182
server.4=[fe80::1]:2888:3888:observer;[::]:2183
`;

  it('parses every form, ordered by id', () => {
    const c = parse(ENSEMBLE, { serverId: 1 });
    expect(c.servers).toEqual([
      { id: 1, host: 'zk1', quorumPort: 2888, electionPort: 3888, type: 'participant', clientAddress: null, clientPort: null },
      { id: 2, host: 'zk2', quorumPort: 2888, electionPort: 3888, type: 'participant', clientAddress: '0.0.0.0', clientPort: 2181 },
      { id: 3, host: '10.0.0.3', quorumPort: 2888, electionPort: 3888, type: 'participant', clientAddress: '10.0.0.3', clientPort: 2182 },
      { id: 4, host: 'fe80::1', quorumPort: 2888, electionPort: 3888, type: 'observer', clientAddress: '::', clientPort: 2183 },
    ]);
    expect(c.distributed).toBe(true);
    expect(c.serverId).toBe(1);
    expect(c.clientPort).toBe(2181);
  });

  it("takes this server's client address from its server.N line", () => {
    const c = parse(ENSEMBLE.replace('clientPort=2181', ''), { serverId: 3 });
    expect([c.clientPortAddress, c.clientPort]).toEqual(['10.0.0.3', 2182]);
  });

  it("takes this server's role from its server.N line, warning if peerType disagrees", () => {
    const c = parse(`${ENSEMBLE.replace('clientPort=2181', '')}peerType=participant\n`, { serverId: 4 });
    expect(c.peerType).toBe('observer');
    expect(c.warnings).toEqual(['peerType participant does not match server.4 (observer); using observer']);
  });

  it('rejects a static client port that contradicts the server.N line', () => {
    expect(messageOf(ENSEMBLE.replace('clientPort=2181', 'clientPort=2999'), { serverId: 2 })).toBe(
      'zoo.cfg:14: clientPort: client address for this server (id = 2) is 0.0.0.0:2999, different from the one in its server.2 line: 0.0.0.0:2181',
    );
  });

  it.each<[line: string, message: string]>([
    ['server.1=zk1:2888', 'zoo.cfg:3: server.1: expected host:quorumPort:electionPort[:participant|:observer][;[clientAddress:]clientPort], got "zk1:2888"'],
    ['server.1=zk1:2888:3888:voter', 'zoo.cfg:3: server.1: expected participant or observer, got "voter"'],
    ['server.1=zk1:2888:38x8', 'zoo.cfg:3: server.1: election port must be a port number (1-65535), got "38x8" in "zk1:2888:38x8"'],
    ['server.1=zk1:2888:2888', 'zoo.cfg:3: server.1: quorum port and election port must be different, got "zk1:2888:2888"'],
    ['server.1=zk1:2888:3888;a:b:c', 'zoo.cfg:3: server.1: expected host:quorumPort:electionPort[:participant|:observer][;[clientAddress:]clientPort], got "zk1:2888:3888;a:b:c"'],
    ['server.1=zk1:2888:3888|zk1b:2888:3888', 'zoo.cfg:3: server.1: multiple addresses per server (multiAddress.enabled) are not supported by Paddock'],
    ['server.x=zk1:2888:3888', 'zoo.cfg:3: server.x: server id must be a non-negative integer, got "x"'],
    ['server.1=[fe80::1:2888:3888', "zoo.cfg:3: server.1: [fe80::1:2888:3888 starts with '[' but has no matching ']:'"],
  ])('%s', (line, message) => {
    expect(messageOf(`${MINIMAL}${line}\n`)).toBe(message);
  });

  it('requires initLimit, syncLimit and myid for a quorum member', () => {
    const servers = 'server.1=a:2888:3888\nserver.2=b:2888:3888\nserver.3=c:2888:3888\n';
    expect(messageOf(`${MINIMAL}${servers}`, { serverId: 1 })).toBe('zoo.cfg: initLimit: required for a quorum member (server.N lines are present)');
    expect(messageOf(`${MINIMAL}initLimit=5\n${servers}`, { serverId: 1 })).toBe('zoo.cfg: syncLimit: required for a quorum member (server.N lines are present)');
    expect(messageOf(`${MINIMAL}initLimit=5\nsyncLimit=2\n${servers}`)).toBe('zoo.cfg: myid file is missing: write this server\'s id into /var/lib/zk/myid');
    expect(messageOf(`${MINIMAL}initLimit=5\nsyncLimit=2\n${servers}`, { serverId: 9 })).toBe('zoo.cfg: this server\'s id 9 (from myid) has no server.9 line');
  });

  it('runs a single server line standalone, with a warning (ZooKeeper does the same)', () => {
    const c = parse(`${MINIMAL}server.1=localhost:2888:3888\n`);
    expect(c.distributed).toBe(false);
    expect(c.warnings).toEqual(['only one server is specified: it is ignored and this server runs standalone']);
  });

  it('is distributed with a single server when standaloneEnabled=false', () => {
    const c = parse(`${MINIMAL}initLimit=5\nsyncLimit=2\nstandaloneEnabled=false\nserver.1=localhost:2888:3888\n`, { serverId: 1 });
    expect(c.distributed).toBe(true);
  });

  it('rejects observers without participants, and standaloneEnabled=false without servers', () => {
    expect(messageOf(`${MINIMAL}server.1=a:2888:3888:observer\n`)).toBe('zoo.cfg: observers without participants is an invalid configuration');
    expect(messageOf(`${MINIMAL}server.1=a:2888:3888\nserver.2=b:2888:3888:observer\n`)).toBe('zoo.cfg: observers without a quorum is an invalid configuration');
    expect(messageOf(`${MINIMAL}standaloneEnabled=false\n`)).toBe('zoo.cfg:3: standaloneEnabled: is false but no participant server.N is configured');
  });

  it('rejects group.* / weight.* (hierarchical quorums)', () => {
    expect(messageOf(`${MINIMAL}group.1=1:2:3\n`)).toBe('zoo.cfg:3: group.1: not supported by Paddock (remove it, or use Apache ZooKeeper for this feature)');
  });
});

describe('parseZooConfig: dynamic config file', () => {
  const STATIC = `${MINIMAL}initLimit=5\nsyncLimit=2\ndynamicConfigFile=/etc/zk/zoo.cfg.dynamic.100000000\n`;
  const DYNAMIC = 'server.1=a:2888:3888;2181\nserver.2=b:2888:3888;2181\nserver.3=c:2888:3888;2181\n';

  it('reads server.N lines and the version (hex suffix of the file name) from it', () => {
    const c = parse(STATIC, { serverId: 2, dynamicConfig: { text: DYNAMIC, fileName: '/etc/zk/zoo.cfg.dynamic.100000000' } });
    expect(c.dynamicConfigFile).toBe('/etc/zk/zoo.cfg.dynamic.100000000');
    expect(c.servers.map((s) => s.host)).toEqual(['a', 'b', 'c']);
    expect(c.configVersion).toBe(0x100000000n);
    expect(c.distributed).toBe(true);
  });

  it('rejects server.N in zoo.cfg when dynamicConfigFile is set', () => {
    expect(messageOf(`${STATIC}server.1=a:2888:3888\n`)).toBe('zoo.cfg:6: server.1: must be in the dynamic config file when dynamicConfigFile is set');
  });

  it('rejects other keys in the dynamic file, naming that file', () => {
    expect(messageOf(STATIC, { serverId: 1, dynamicConfig: { text: `${DYNAMIC}tickTime=5`, fileName: 'zoo.cfg.dynamic' } })).toBe(
      'zoo.cfg.dynamic:4: tickTime: unknown key in a dynamic config file (only server.N lines belong there)',
    );
    expect(messageOf(STATIC, { serverId: 1, dynamicConfig: { text: 'version=1', fileName: 'zoo.cfg.dynamic' } })).toBe(
      "zoo.cfg.dynamic:1: version: the dynamic config file shouldn't have a version inside (it comes from the file name)",
    );
  });
});

describe('loadZooConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paddock-zoo-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a standalone zoo.cfg', async () => {
    const file = join(dir, 'standalone.cfg');
    await writeFile(file, `tickTime=2000\ndataDir=${join(dir, 'data-standalone')}\nclientPort=2181\n`);
    const c = await loadZooConfig(file);
    expect([c.configFile, c.tickTime, c.serverId]).toEqual([file, 2000, null]);
  });

  it('reads myid from dataDir and the dynamic config file', async () => {
    const dataDir = join(dir, 'data-quorum');
    await mkdir(dataDir);
    await writeFile(join(dataDir, 'myid'), '2\n');
    const dyn = join(dir, 'zoo.cfg.dynamic.a');
    await writeFile(dyn, 'server.1=a:2888:3888;2181\nserver.2=b:2888:3888;2182\nserver.3=c:2888:3888;2183\n');
    const file = join(dir, 'quorum.cfg');
    await writeFile(file, `dataDir=${dataDir}\ninitLimit=5\nsyncLimit=2\ndynamicConfigFile=${dyn}\n`);
    const c = await loadZooConfig(file);
    expect([c.serverId, c.clientPort, c.configVersion, c.distributed]).toEqual([2, 2182, 10n, true]);
  });

  it('reports a missing file as a ConfigError naming it', async () => {
    const file = join(dir, 'nope.cfg');
    await expect(loadZooConfig(file)).rejects.toThrow(`${file}: cannot read the configuration file (no such file)`);
  });

  it('reports a malformed myid', async () => {
    const dataDir = join(dir, 'data-bad-myid');
    await mkdir(dataDir);
    await writeFile(join(dataDir, 'myid'), 'one\n');
    const file = join(dir, 'bad-myid.cfg');
    await writeFile(file, `dataDir=${dataDir}\nclientPort=2181\n`);
    await expect(loadZooConfig(file)).rejects.toThrow(`${join(dataDir, 'myid')}:1: server id must be a non-negative integer, got "one"`);
  });
});

describe('parseMyId', () => {
  it('reads the first line', () => {
    expect(parseMyId('3\n')).toBe(3);
    expect(parseMyId(' 12 \r\nignored')).toBe(12);
  });
});

describe('configFromFlags', () => {
  it("uses ZooKeeper's defaults for everything but port and dataDir", () => {
    const c = configFromFlags({ port: 2182, dataDir: '/tmp/pd' });
    expect(c).toEqual({ ...parse('dataDir=/tmp/pd\nclientPort=2182\n'), configFile: null });
    expect([c.tickTime, c.minSessionTimeout, c.maxSessionTimeout, c.fourLetterWordWhitelist]).toEqual([3000, 6000, 60000, ['srvr']]);
  });

  it('defaults the port to 2181 and accepts 0 (any free port) and strings', () => {
    expect(configFromFlags({ dataDir: '/d' }).clientPort).toBe(2181);
    expect(configFromFlags({ dataDir: '/d', port: 0 }).clientPort).toBe(0);
    expect(configFromFlags({ dataDir: '/d', port: '3000', tickTime: '100', maxClientCnxns: '5' })).toMatchObject({
      clientPort: 3000,
      tickTime: 100,
      minSessionTimeout: 200,
      maxSessionTimeout: 2000,
      maxClientCnxns: 5,
    });
  });

  it('takes the optional flags', () => {
    expect(configFromFlags({ dataDir: '/d', dataLogDir: '/l', clientPortAddress: '127.0.0.1', fourLetterWords: '*' })).toMatchObject({
      dataLogDir: '/l',
      clientPortAddress: '127.0.0.1',
      fourLetterWordWhitelist: expect.arrayContaining(['ruok', 'mntr', 'stat']),
    });
  });

  it.each<[Parameters<typeof configFromFlags>[0], string]>([
    [{ dataDir: '' }, 'command line: --data-dir: is required (or use --config <zoo.cfg>)'],
    [{ dataDir: '/d', port: 'http' }, 'command line: --port: expected a port number (0-65535), got "http"'],
    [{ dataDir: '/d', port: 70000 }, 'command line: --port: expected a port number (0-65535), got "70000"'],
    [{ dataDir: '/d', tickTime: 0 }, 'command line: --tick-time: expected a positive integer, got "0"'],
    [{ dataDir: '/d', fourLetterWords: 'nope' }, 'command line: --4lw: unknown four-letter word "nope" (known: conf, cons, crst, dirs, dump, envi, ruok, srst, srvr, stat, wchc, wchp, wchs, mntr, isro, gtmk, stmk, hash, or *)'],
  ])('%j', (flags, message) => {
    expect(errorOf(() => configFromFlags(flags)).message).toBe(message);
  });
});
