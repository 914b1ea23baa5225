/**
 * zkCli.sh (Apache ZooKeeper 3.8's own shell, unmodified): the suite shared by zkcli.test.ts (the interop
 * target) and ensemble.test.ts (a 3-member Paddock ensemble, every member in the connect string).
 *
 * Three JVMs only (zkCli is slow to start):
 *  - W: an interactive session fed over stdin that sets watches (get -w, ls -w, stat -w) and must
 *       print the WATCHER:: blocks when other clients change the nodes;
 *  - B: a batch session (command list piped to stdin) exercising create -s -e, get -s, set, ls -R,
 *       stat, delete, deleteall and their error messages;
 *  - E: a one-shot `zkCli.sh -timeout 2000 -server ... create -s -e ...`, which exits without
 *       closing its session, so its ephemeral must vanish when the session expires.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ZK_CLI_SH } from '../support/apache-zookeeper.js';
import type { ServerHandle } from '../support/paddock.js';
import { runCommand, spawnManaged, type ManagedProcess, type RunResult } from '../support/processes.js';
import { expiryDeadlineMs } from './interop-target.js';

const CLI_ENV = {
  // fast JVM start for a short-lived shell; keep its log4j/slf4j noise out of the way
  CLIENT_JVMFLAGS: '-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto',
  JAVA_TOOL_OPTIONS: undefined,
};

const MARK = '/__zkcli_mark_';

/** Parses "key = value" stat lines (cZxid = 0x.., dataVersion = 1, ...). */
function parseStat(text: string): Record<string, string> {
  const stat: Record<string, string> = {};
  for (const match of text.matchAll(/^(\w+) = (.*)$/gm)) stat[match[1] as string] = (match[2] as string).trim();
  return stat;
}

/** The lines of a section that are neither blank nor zkCli/SLF4J chatter. */
function payloadLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '' && !line.startsWith('SLF4J:'));
}

/** Parses "[a, b, c]" (zkCli's ls output). */
function parseList(text: string): string[] {
  const match = text.match(/^\[(.*)\]$/m);
  if (!match) throw new Error(`no [..] list in ${JSON.stringify(text)}`);
  return match[1] === '' ? [] : (match[1] as string).split(', ');
}

/** Runs the zkCli suite against the server `start` brings up. */
export function describeZkCli(title: string, start: () => Promise<ServerHandle>): void {
  describe(title, () => {
    let server: ServerHandle;
    let watcher: ManagedProcess | undefined;
    let batch: RunResult;
    /** Output of each batch command, by command id. */
    const sections = new Map<string, string>();
    let watcherReadyOffset = 0;

    function cli(args: string[], input?: string): Promise<RunResult> {
      return runCommand({
        name: 'zkcli',
        command: ZK_CLI_SH,
        args,
        env: CLI_ENV,
        mergeStderr: true,
        input,
        timeoutMs: 60_000,
      });
    }

    async function watcherSends(command: string, expect: RegExp, timeoutMs = 10_000): Promise<string> {
      if (!watcher) throw new Error('watcher session not started');
      const since = watcher.outputOffset;
      watcher.write(`${command}\n`);
      await watcher.waitForOutput(expect, { since, timeoutMs });
      return watcher.outputSince(since);
    }

    const BATCH: Array<[id: string, command: string]> = [
      ['create', 'create /zkcli v0'],
      ['createSeqEph', 'create -s -e /zkcli/seq- e'],
      ['createC1', 'create /zkcli/c1 c1'],
      ['createG', 'create /zkcli/c1/g g'],
      ['getS', 'get -s /zkcli'],
      ['getSEph', 'get -s /zkcli/seq-0000000000'],
      ['set', 'set /zkcli v1'],
      ['setBadVersion', 'set -v 0 /zkcli bad'],
      ['setSV', 'set -s -v 1 /zkcli v2'],
      ['get', 'get /zkcli'],
      ['stat', 'stat /zkcli'],
      ['ls', 'ls /zkcli'],
      ['lsR', 'ls -R /zkcli'],
      ['lsS', 'ls -s /zkcli'],
      ['deleteNotEmpty', 'delete /zkcli/c1'],
      ['deleteMissing', 'delete /zkcli/missing'],
      ['deleteBadVersion', 'delete -v 5 /zkcli/c1/g'],
      ['deleteG', 'delete -v 0 /zkcli/c1/g'],
      ['createG2', 'create /zkcli/c1/g2 x'],
      ['createH', 'create /zkcli/c1/g2/h y'],
      ['deleteall', 'deleteall /zkcli/c1'],
      ['lsAfter', 'ls /zkcli'],
      ['statMissing', 'stat /zkcli/c1'],
      ['createExisting', 'create /zkcli v9'],
      ['touchWatched', 'set /zkw/data v1'],
    ];

    beforeAll(async () => {
      if (!existsSync(ZK_CLI_SH)) throw new Error(`${ZK_CLI_SH} missing: run scripts/install-system-deps.sh`);
      server = await start();

      // W: interactive session with watches
      watcher = spawnManaged({
        name: 'zkcli-watcher',
        command: ZK_CLI_SH,
        args: ['-server', server.connectString],
        env: CLI_ENV,
        stdin: 'pipe',
        mergeStderr: true,
      });
      await watcher.waitForOutput(/WatchedEvent state:SyncConnected type:None path:null/, { timeoutMs: 30_000 });
      await watcherSends('create /zkw', /Created \/zkw\n/);
      await watcherSends('create /zkw/data v0', /Created \/zkw\/data\n/);
      await watcherSends('get -w /zkw/data', /^v0$/m);
      await watcherSends('ls -w /zkw', /^\[data\]$/m);
      watcherReadyOffset = watcher.outputOffset;

      // B: batch session
      const input = `${BATCH.map(([id, command]) => `get ${MARK}${id}\n${command}\n`).join('')}get ${MARK}end\nquit\n`;
      batch = await cli(['-server', server.connectString], input);
      const marker = new RegExp(`^Node does not exist: ${MARK}(\\w+)$`, 'gm');
      const found = [...batch.output.matchAll(marker)];
      found.forEach((match, i) => {
        const start = (match.index ?? 0) + match[0].length;
        const end = found[i + 1]?.index ?? batch.output.length;
        sections.set(match[1] as string, batch.output.slice(start, end));
      });
    }, 120_000);

    afterAll(async () => {
      if (watcher?.running) {
        watcher.write('quit\n');
        watcher.endInput();
        const timer = setTimeout(() => watcher?.signal('SIGKILL'), 5_000);
        await watcher.exited;
        clearTimeout(timer);
      }
      await server?.stop();
    });

    function out(id: string): string {
      const text = sections.get(id);
      if (text === undefined) throw new Error(`no output section for ${id}\n${batch.process.describe(8000)}`);
      return text;
    }

    test('the batch session ran every command without a client-side exception', () => {
      expect([...sections.keys()]).toEqual([...BATCH.map(([id]) => id), 'end']);
      expect(batch.output).not.toMatch(/Exception|ConnectionLoss|SessionExpired/);
      expect(batch.timedOut).toBe(false);
    });

    test('create and create -s -e', () => {
      expect(payloadLines(out('create'))).toEqual(['Created /zkcli']);
      expect(payloadLines(out('createSeqEph'))).toEqual(['Created /zkcli/seq-0000000000']);
      expect(payloadLines(out('createC1'))).toEqual(['Created /zkcli/c1']);
      expect(payloadLines(out('createG'))).toEqual(['Created /zkcli/c1/g']);
      expect(payloadLines(out('createExisting'))).toEqual(['Node already exists: /zkcli']);
    });

    test('get -s prints the data then the stat', () => {
      const lines = payloadLines(out('getS'));
      expect(lines[0]).toBe('v0');
      const stat = parseStat(out('getS'));
      expect(Object.keys(stat)).toEqual([
        'cZxid', 'ctime', 'mZxid', 'mtime', 'pZxid', 'cversion', 'dataVersion', 'aclVersion', 'ephemeralOwner', 'dataLength', 'numChildren',
      ]);
      expect(stat).toMatchObject({ cversion: '2', dataVersion: '0', aclVersion: '0', ephemeralOwner: '0x0', dataLength: '2', numChildren: '2' });
      expect(stat.mZxid).toBe(stat.cZxid);
      expect(BigInt(stat.pZxid as string)).toBeGreaterThan(BigInt(stat.cZxid as string));
      expect(stat.ctime).toBe(stat.mtime);

      const eph = parseStat(out('getSEph'));
      expect(payloadLines(out('getSEph'))[0]).toBe('e');
      expect(eph.ephemeralOwner).toMatch(/^0x[0-9a-f]+$/);
      expect(BigInt(eph.ephemeralOwner as string)).not.toBe(0n);
      expect(eph).toMatchObject({ dataLength: '1', numChildren: '0', dataVersion: '0' });
    });

    test('set, set -v with a stale version, set -s -v', () => {
      expect(payloadLines(out('set'))).toEqual([]);
      expect(payloadLines(out('setBadVersion'))).toEqual(['version No is not valid : /zkcli']);
      expect(parseStat(out('setSV'))).toMatchObject({ dataVersion: '2', dataLength: '2', numChildren: '2' });
      expect(payloadLines(out('get'))).toEqual(['v2']);
    });

    test('stat', () => {
      const stat = parseStat(out('stat'));
      expect(stat).toMatchObject({ dataVersion: '2', cversion: '2', numChildren: '2', ephemeralOwner: '0x0', dataLength: '2' });
      expect(BigInt(stat.mZxid as string)).toBeGreaterThan(BigInt(stat.cZxid as string));
      expect(payloadLines(out('statMissing'))).toEqual(['Node does not exist: /zkcli/c1']);
    });

    test('ls, ls -R and ls -s', () => {
      expect(parseList(out('ls'))).toEqual(['c1', 'seq-0000000000']);
      expect(payloadLines(out('lsR')).sort()).toEqual(['/zkcli', '/zkcli/c1', '/zkcli/c1/g', '/zkcli/seq-0000000000']);
      expect(payloadLines(out('lsR'))[0]).toBe('/zkcli');
      expect(parseList(out('lsS'))).toEqual(['c1', 'seq-0000000000']);
      expect(parseStat(out('lsS'))).toMatchObject({ numChildren: '2', dataVersion: '2' });
    });

    test('delete and its errors', () => {
      expect(payloadLines(out('deleteNotEmpty'))).toEqual(['Node not empty: /zkcli/c1']);
      expect(payloadLines(out('deleteMissing'))).toEqual(['Node does not exist: /zkcli/missing']);
      expect(payloadLines(out('deleteBadVersion'))).toEqual(['version No is not valid : /zkcli/c1/g']);
      expect(payloadLines(out('deleteG'))).toEqual([]);
    });

    test('deleteall removes a whole subtree', () => {
      expect(payloadLines(out('createH'))).toEqual(['Created /zkcli/c1/g2/h']);
      expect(payloadLines(out('deleteall'))).toEqual([]);
      expect(parseList(out('lsAfter'))).toEqual(['seq-0000000000']);
    });

    test('get -w prints a WATCHER:: block when another client sets the node', async () => {
      const w = watcher as ManagedProcess;
      await w.waitForOutput(/WATCHER::\s+WatchedEvent state:SyncConnected type:NodeDataChanged path:\/zkw\/data/, {
        since: watcherReadyOffset,
        timeoutMs: 5_000,
      });
      // one-shot: the event came once
      expect(w.outputSince(watcherReadyOffset).match(/type:NodeDataChanged/g)).toHaveLength(1);
      const got = await watcherSends('get -s /zkw/data', /numChildren = \d+/);
      expect(payloadLines(got)[0]).toBe('v1');
      expect(parseStat(got)).toMatchObject({ dataVersion: '1', dataLength: '2' });
    }, 20_000);

    test('the batch session closed with quit: its ephemeral is gone at once', async () => {
      const text = await watcherSends('ls -R /zkcli', /^\/zkcli$/m);
      expect(payloadLines(text).sort()).toEqual(['/zkcli']);
    }, 20_000);

    test('ls -w / stat -w fire on create and on session expiry of a client that exited without closing', async () => {
      const w = watcher as ManagedProcess;
      const since = w.outputOffset;
      // E: one-shot command; zkCli exits without closeSession, the session lives on until it expires
      const oneShot = await cli(['-timeout', '2000', '-server', server.connectString, 'create', '-s', '-e', '/zkw/eph-', 'held']);
      const exitedAt = Date.now();
      // /zkw had one child create (data) before: the suffix is 1
      expect(oneShot.output).toMatch(/^Created \/zkw\/eph-0000000001$/m);
      await w.waitForOutput(/WatchedEvent state:SyncConnected type:NodeChildrenChanged path:\/zkw\n/, { since, timeoutMs: 5_000 });

      const stat = parseStat(await watcherSends('stat -w /zkw/eph-0000000001', /numChildren = \d+/));
      expect(BigInt(stat.ephemeralOwner as string)).not.toBe(0n);
      expect(stat).toMatchObject({ dataLength: '4', dataVersion: '0' });
      expect(parseList(await watcherSends('ls -w /zkw', /^\[.*\]$/m)).sort()).toEqual(['data', 'eph-0000000001']);
      // the owner is gone but its session is not expired yet: the node is still there
      const afterWatch = w.outputOffset;

      await w.waitForOutput(/WatchedEvent state:SyncConnected type:NodeDeleted path:\/zkw\/eph-0000000001\n/, {
        since: afterWatch,
        timeoutMs: expiryDeadlineMs(2_000),
      });
      const elapsed = Date.now() - exitedAt;
      await w.waitForOutput(/WatchedEvent state:SyncConnected type:NodeChildrenChanged path:\/zkw\n/, { since: afterWatch, timeoutMs: 2_000 });
      expect(elapsed).toBeGreaterThanOrEqual(1_000);
      expect(parseList(await watcherSends('ls /zkw', /^\[.*\]$/m))).toEqual(['data']);
    }, 60_000);
  });
}
