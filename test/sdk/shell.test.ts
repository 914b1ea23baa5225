/**
 * `paddock shell` against zkCli.sh (Apache ZooKeeper 3.8's own shell), differentially: the same command
 * scripts go through both shells against the same server, and the printed output must be the same once the
 * things that legitimately differ between two sessions are normalised (zxids, times, session ids, the root
 * each run works under). Runs against a started Paddock and a started Apache ZooKeeper (TARGETS).
 *
 *  - batch: one long script on stdin (no terminal: zkCli here has no JLine, so neither prints a prompt),
 *    fed step by step: after a command that fires a watch the harness waits until the WATCHER:: block is
 *    printed before it writes the next line (zkCli prints events from its event thread), so stdout, events
 *    included, is compared exactly and in order; stderr separately;
 *  - one-shot: `shell -server h:p cmd args` output and exit status (0, 1, 127);
 *  - interactive: both shells watch the same node, a third client changes it, both print the same block;
 *  - tab completion through a pseudo-terminal (`script`), with the prompt.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ZooKeeperClient } from '@paddock/client';
import { ZK_CLI_SH } from '../support/apache-zookeeper.js';
import { PADDOCK_BIN, REPO_ROOT, type ServerHandle } from '../support/paddock.js';
import { FatalProbeError, runCommand, spawnManaged, waitFor, type ManagedProcess, type RunResult } from '../support/processes.js';
import { SERVER_OPTIONS, TARGETS } from './targets.js';

const CLI_ENV = {
  CLIENT_JVMFLAGS: '-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto',
  JAVA_TOOL_OPTIONS: undefined,
  TZ: 'UTC',
};
const NODE_ENV = { NODE_OPTIONS: undefined, TZ: 'UTC' };

type Shell = 'zkcli' | 'paddock';

function shellCommand(shell: Shell, args: readonly string[]): { command: string; args: string[]; env: Record<string, string | undefined> } {
  return shell === 'zkcli'
    ? { command: ZK_CLI_SH, args: [...args], env: CLI_ENV }
    : { command: process.execPath, args: [PADDOCK_BIN, 'shell', ...args], env: NODE_ENV };
}

function run(shell: Shell, args: readonly string[], input?: string, mergeStderr = false): Promise<RunResult> {
  return runCommand({ name: `shell-${shell}`, ...shellCommand(shell, args), cwd: REPO_ROOT, input, mergeStderr, timeoutMs: 60_000 });
}

const DATE = /^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} [A-Z]{3} \d{4}$/;

/**
 * Makes two sessions' output comparable: the run's root becomes /ROOT, zxids 0xZXID, non-zero session ids
 * 0xSESSION, dates DATE (after checking they have Date.toString()'s shape); SLF4J chatter and JVM stack
 * frames are dropped.
 */
function normalise(text: string, root?: string): string {
  // zkCli's SLF4J warnings come from another thread and can land mid-line (`Exception in thread "main" SLF4J: …`)
  let t = text.replace(/\r\n/g, '\n').replace(/SLF4J: [^\n]*\n?/g, '');
  if (root) t = t.split(root).join('/ROOT');
  return t
    .split('\n')
    .filter((line) => !line.startsWith('SLF4J:') && !line.startsWith('\tat '))
    .map((line) => {
      const m = /^(ctime|mtime) = (.*)$/.exec(line);
      if (m) {
        expect(m[2]).toMatch(DATE);
        return `${m[1]} = DATE`;
      }
      return line
        .replace(/^(cZxid|mZxid|pZxid) = 0x[0-9a-f]+$/, '$1 = 0xZXID')
        .replace(/^ephemeralOwner = 0x(?!0$)[0-9a-f]+$/, 'ephemeralOwner = 0xSESSION');
    })
    .join('\n');
}

const WATCHER_BLOCK = /\nWATCHER::\n\n(WatchedEvent [^\n]*)\n/g;

/** Splits stdout into the WATCHER:: events (in order) and the rest. */
function splitWatchers(stdout: string): { events: string[]; rest: string } {
  const events = [...stdout.matchAll(WATCHER_BLOCK)].map((m) => m[1]!);
  return { events, rest: stdout.replace(WATCHER_BLOCK, '') };
}

/**
 * A one-shot run's stdout without zkCli's SyncConnected block: whether it makes it out before the exit, and
 * where its lines land among the command's output (zkCli's event thread and main thread both print), is a
 * race in zkCli, so the block is dropped whole or line by line wherever it landed.
 */
function withoutConnectEvent(stdout: string): string {
  return splitWatchers(normalise(stdout))
    .rest.split('\n')
    .filter((line) => line !== 'WATCHER::' && line !== 'WatchedEvent state:SyncConnected type:None path:null' && line !== '')
    .join('\n');
}

/**
 * The batch script; %R is the run's root, %S the server. A line `=> Type path` is not sent to the shell: the
 * harness stops writing there until the shell has printed that watch event on stdout (`=> SyncConnected` and
 * `=> Closed` are session events). zkCli prints events from its event thread while its main thread goes on
 * reading stdin, so without these stops the next commands' output could overtake an event, and
 * `printwatches on` could run before the event thread looked at the flag (the `sync` after `set %R/w w3`
 * is that barrier: its callback runs on the event thread after the w3 event, so the event is dropped
 * while printwatches is still off).
 */
const BATCH = `
=> SyncConnected
create %R root
create %R/a 1
create %R/a/b 2
create %R/c c
create -s %R/s- x
create -s %R/
create -e %R/e eph
create -e -s %R/es- x
create %R/e/x
create -c %R/cont
create -t 5000 %R/ttl t
create -s -t 5000 %R/ttls- t
create -c -e %R/bad
create -t abc %R/bad
create -t 0 %R/bad
create -t 10 -e %R/bad
create -t
create
create %R
create %R/missing/child
create relative
create %R/trailing/
create %R/acl x digest:u:x:cdrwa,bad
create %R/noacl x bad
create %R/quoted "a  b" world:anyone:cdrwa
ls %R
ls -s %R
ls -R %R
ls %R w
ls
ls -x %R
ls -? %R/a
ls %R/missing
ls %R//x
get %R
get -s %R/a
get -s %R/e
get %R/quoted
get
get %R/missing
get %R/a w
stat %R/a
stat %R/missing
stat
stat relative
set %R/a v2
=> NodeDataChanged %R/a
set -s %R/a v3
set -v 99 %R/a v4
set -s -v 2 %R/a v5
set %R/a
set %R/missing x
set %R/a "with spaces"
get %R/a
set %R/a 'single quoted'
get %R/a
getAcl %R/a
getAcl -s %R/a
getAcl %R/acl
getAcl %R/missing
get %R/acl
setAcl %R/c world:anyone:r
getAcl %R/c
setAcl -s %R/c world:anyone:cdrwa
setAcl -v 99 %R/c world:anyone:cdrwa
setAcl %R/c bad
setAcl %R/c world:anyone:rq
setAcl -R %R/a world:anyone:cdra
getAcl %R/a/b
setAcl %R/missing world:anyone:r
addauth digest u:x
addauth
whoami
get %R/acl
getEphemerals %R/es-
getEphemerals %R/nothing
getAllChildrenNumber %R
getAllChildrenNumber %R/missing
getAllChildrenNumber
sync %R
sync
create %R/w w0
=> NodeChildrenChanged %R
get -w %R/w
set %R/w w1
=> NodeDataChanged %R/w
ls -w %R/w
create %R/w/k
=> NodeChildrenChanged %R/w
stat -w %R/w/k
delete %R/w/k
=> NodeDeleted %R/w/k
stat -w %R/w/later
create %R/w/later
=> NodeCreated %R/w/later
addWatch -m persistent %R/w
set %R/w w2
=> NodeDataChanged %R/w
removewatches %R/w
=> PersistentWatchRemoved %R/w
addWatch -m persistent_recursive %R/w
create %R/w/deep
=> NodeCreated %R/w/deep
create %R/w/deep/er
=> NodeCreated %R/w/deep/er
removewatches %R/w -a
=> PersistentWatchRemoved %R/w
ls -w %R/w
removewatches %R/w -c
=> ChildWatchRemoved %R/w
removewatches %R/w -d
get -w %R/w
removewatches %R/w -d
=> DataWatchRemoved %R/w
removewatches %R/w
addWatch -m bogus %R/w
addWatch %R/w extra
addWatch
printwatches off
get -w %R/w
set %R/w w3
sync %R
printwatches
printwatches on
delete %R/a
delete %R/missing
delete -v 99 %R/c
delete %R/c 0
delete -v 0 %R/a/b
delete
deleteall %R/missing
deleteall %R/a
deleteall
ls %R
foo
history
redo 0
redo 999
redo
redo 1
history
close
=> Closed
ls %R
printwatches
history
connect %S
=> SyncConnected
ls %R
deleteall %R
ls %R
`;

/** The WATCHER:: block a shell prints for a `=> Type [path]` line of the batch. */
function watcherBlock(directive: string): string {
  const [type, path] = directive.split(' ');
  const event = path === undefined ? `state:${type} type:None path:null` : `state:SyncConnected type:${type} path:${path}`;
  return `\nWATCHER::\n\nWatchedEvent ${event}\n`;
}

interface BatchRun {
  code: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** stdout up to the end of the first SyncConnected block, printed before any command was written */
  preamble: string;
  /** `=> ` lines whose event the shell did not print within the deadline */
  missed: string[];
}

/** Feeds the batch to one shell under its own root, stopping at each `=> ` line until its event is printed. */
async function batch(shell: Shell, server: ServerHandle, root: string): Promise<BatchRun> {
  const lines = BATCH.replace(/%R/g, root).replace(/%S/g, server.connectString).replace(/^\n/, '').replace(/\n$/, '').split('\n');
  const child = spawnManaged({ name: `shell-${shell}`, ...shellCommand(shell, ['-server', server.connectString]), cwd: REPO_ROOT, stdin: 'pipe' });
  let timedOut = false;
  const killer = setTimeout(() => {
    timedOut = true;
    child.signal('SIGKILL');
  }, 120_000);
  const missed: string[] = [];
  let preamble: string | undefined;
  let since = 0; // where in stdout the next awaited block may start: after the previous one
  let pending = '';
  try {
    for (const line of lines) {
      if (!line.startsWith('=> ')) {
        pending += `${line}\n`;
        continue;
      }
      if (pending) child.write(pending);
      pending = '';
      const block = watcherBlock(line.slice(3));
      await waitFor(
        `${shell} to print ${JSON.stringify(block)}`,
        () => {
          const at = child.stdout().indexOf(block, since);
          if (at >= 0) {
            since = at + block.length;
            return true;
          }
          if (!child.running) throw new FatalProbeError(`${shell} exited`);
          return undefined;
        },
        { timeoutMs: 20_000, intervalMs: 20 },
      ).catch(() => missed.push(line));
      preamble ??= child.stdout().slice(0, since);
    }
    if (pending) child.write(pending);
    child.endInput();
    const exit = await child.exited;
    return { code: exit.code, timedOut, stdout: child.stdout(), stderr: child.stderr(), preamble: preamble ?? '', missed };
  } finally {
    clearTimeout(killer);
    if (child.running) await child.kill();
  }
}

describe.each(TARGETS)('paddock shell vs zkCli.sh against %s', (kind, start) => {
  let server: ServerHandle;
  let sdk: ZooKeeperClient;
  const tag = `${kind}-${process.pid}-${Date.now().toString(36)}`;

  beforeAll(async () => {
    if (!existsSync(ZK_CLI_SH)) throw new Error(`${ZK_CLI_SH} missing: run scripts/install-system-deps.sh`);
    server = await start(SERVER_OPTIONS);
    sdk = new ZooKeeperClient(server.connectString, { sessionTimeout: 10_000 });
    await sdk.waitForConnected(15_000);
  }, 60_000);

  afterAll(async () => {
    await sdk?.close();
    await server?.stop();
  });

  describe('batch script on stdin', () => {
    const roots: Record<Shell, string> = { zkcli: `/shz-${tag}`, paddock: `/shp-${tag}` };
    const results = {} as Record<Shell, BatchRun>;

    beforeAll(async () => {
      // one after the other: both share the server, and zkCli's JVM wants the CPU
      results.zkcli = await batch('zkcli', server, roots.zkcli);
      results.paddock = await batch('paddock', server, roots.paddock);
    }, 240_000);

    test('both ran the script to the end with exit status 0', () => {
      for (const shell of ['zkcli', 'paddock'] as const) {
        expect(results[shell].timedOut).toBe(false);
        expect({ shell, code: results[shell].code }).toEqual({ shell, code: 0 });
      }
      // the last commands ran: deleteall stopped at the node this session may not read
      expect(normalise(results.paddock.stderr, roots.paddock)).toMatch(/Insufficient permission : \/ROOT\/acl\n$/);
      expect(normalise(results.paddock.stdout, roots.paddock)).toMatch(/\n\[[^\n]*, acl, [^\n]*\]\n$/);
    });

    test('every awaited watch event was printed, by both shells', () => {
      expect({ zkcli: results.zkcli.missed, paddock: results.paddock.missed }).toEqual({ zkcli: [], paddock: [] });
    });

    test('stdout is the same, WATCHER:: blocks included and in place', () => {
      const [zk, pd] = (['zkcli', 'paddock'] as const).map((shell) => {
        const r = results[shell];
        return { preamble: normalise(r.preamble, roots[shell]), rest: normalise(r.stdout.slice(r.preamble.length), roots[shell]) };
      });
      // Before the first command: zkCli prints its banner from the main thread while the connection is made
      // on another, so only there the SyncConnected block may come first. Compared line by line, unordered.
      const lines = (text: string) => text.split('\n').sort();
      expect(lines(pd!.preamble)).toEqual(lines(zk!.preamble));
      expect(pd!.preamble).toMatch(/WatchedEvent state:SyncConnected type:None path:null\n$/);
      expect(pd!.rest).toBe(zk!.rest);
    });

    test('the same watch events were printed, in the same order', () => {
      const zk = splitWatchers(normalise(results.zkcli.stdout, roots.zkcli));
      const pd = splitWatchers(normalise(results.paddock.stdout, roots.paddock));
      expect(pd.events).toEqual(zk.events);
      expect(pd.events).toEqual([
        'WatchedEvent state:SyncConnected type:None path:null',
        'WatchedEvent state:SyncConnected type:NodeDataChanged path:/ROOT/a',
        'WatchedEvent state:SyncConnected type:NodeChildrenChanged path:/ROOT',
        'WatchedEvent state:SyncConnected type:NodeDataChanged path:/ROOT/w',
        'WatchedEvent state:SyncConnected type:NodeChildrenChanged path:/ROOT/w',
        'WatchedEvent state:SyncConnected type:NodeDeleted path:/ROOT/w/k',
        'WatchedEvent state:SyncConnected type:NodeCreated path:/ROOT/w/later',
        'WatchedEvent state:SyncConnected type:NodeDataChanged path:/ROOT/w',
        'WatchedEvent state:SyncConnected type:PersistentWatchRemoved path:/ROOT/w',
        'WatchedEvent state:SyncConnected type:NodeCreated path:/ROOT/w/deep',
        'WatchedEvent state:SyncConnected type:NodeCreated path:/ROOT/w/deep/er',
        'WatchedEvent state:SyncConnected type:PersistentWatchRemoved path:/ROOT/w',
        'WatchedEvent state:SyncConnected type:ChildWatchRemoved path:/ROOT/w',
        'WatchedEvent state:SyncConnected type:DataWatchRemoved path:/ROOT/w',
        // no NodeDataChanged for w3: printwatches was off when it fired
        'WatchedEvent state:Closed type:None path:null',
        'WatchedEvent state:SyncConnected type:None path:null',
      ]);
    });

    test('stderr (Created ..., errors, usage, deprecation notes) is the same', () => {
      expect(normalise(results.paddock.stderr, roots.paddock)).toBe(normalise(results.zkcli.stderr, roots.zkcli));
    });

    test('the stat block has Date.toString() times and hex zxids', () => {
      const text = results.paddock.stdout;
      const block = /cZxid = 0x[0-9a-f]+\nctime = (.*)\nmZxid = 0x[0-9a-f]+\nmtime = (.*)\npZxid = 0x[0-9a-f]+\ncversion = \d+\ndataVersion = \d+\naclVersion = \d+\nephemeralOwner = 0x[0-9a-f]+\ndataLength = \d+\nnumChildren = \d+\n/;
      const m = block.exec(text);
      expect(m).not.toBeNull();
      expect(m![1]).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/);
      const year = new Date().getUTCFullYear();
      expect(m![1]).toContain(String(year));
    });
  });

  describe('one-shot commands: output and exit status', () => {
    const CASES: Array<[label: string, args: (root: string) => string[], code: number]> = [
      ['ls of a node', (root) => ['ls', root], 0],
      ['get -s', (root) => ['get', '-s', root], 0],
      ['ls of a missing node', () => ['ls', '/no-such-node-here'], 1],
      ['create of an existing node', (root) => ['create', root], 1],
      ['unknown command', () => ['frobnicate', '/'], 127],
      ['usage error', () => ['get'], 1],
      ['unknown option', () => ['ls', '-x', '/'], 1],
      ['uncaught NumberFormatException', (root) => ['set', '-v', 'abc', root, 'x'], 1],
    ];
    const root = `/sho-${tag}`;
    const results = new Map<string, Record<Shell, RunResult>>();

    beforeAll(async () => {
      await sdk.create(root, 'one-shot');
      await sdk.create(`${root}/child`, 'c');
      for (const [label, args] of CASES) {
        const [zk, pd] = await Promise.all([run('zkcli', ['-server', server.connectString, ...args(root)]), run('paddock', ['-server', server.connectString, ...args(root)])]);
        results.set(label, { zkcli: zk, paddock: pd });
      }
    }, 90_000);

    test.each(CASES)('%s', (label, _args, code) => {
      const r = results.get(label)!;
      expect({ label, zkcli: r.zkcli.code, paddock: r.paddock.code }).toEqual({ label, zkcli: code, paddock: code });
      expect(withoutConnectEvent(r.paddock.stdout)).toBe(withoutConnectEvent(r.zkcli.stdout));
      expect(normalise(r.paddock.stderr)).toBe(normalise(r.zkcli.stderr));
    });

    test('a one-shot create -e leaves the session open, as zkCli does (the node lives until expiry)', async () => {
      const r = await run('paddock', ['-timeout', '2000', '-server', server.connectString, 'create', '-e', `${root}/eph`, 'held']);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe(`Created ${root}/eph\n`);
      expect(await sdk.exists(`${root}/eph`)).not.toBeNull();
    }, 30_000);
  });

  describe('interactive sessions fed over stdin', () => {
    const node = `/shi-${tag}`;
    const shells = {} as Record<Shell, ManagedProcess>;

    beforeAll(async () => {
      await sdk.create(node, 'v0');
      for (const shell of ['zkcli', 'paddock'] as const) {
        shells[shell] = spawnManaged({ name: `shell-${shell}-interactive`, ...shellCommand(shell, ['-server', server.connectString]), cwd: REPO_ROOT, stdin: 'pipe', mergeStderr: true });
      }
      await Promise.all(Object.values(shells).map((p) => p.waitForOutput('WatchedEvent state:SyncConnected type:None path:null', { timeoutMs: 30_000 })));
    }, 60_000);

    afterAll(async () => {
      for (const p of Object.values(shells)) {
        if (p.running) await p.stop({ signal: 'SIGKILL' });
      }
    });

    /** Sends a line to both shells and returns what each printed until `until` appeared. */
    async function both(line: string, until: RegExp | string, after?: () => Promise<unknown>): Promise<Record<Shell, string>> {
      const since = { zkcli: shells.zkcli.outputOffset, paddock: shells.paddock.outputOffset };
      if (line) for (const p of Object.values(shells)) p.write(`${line}\n`);
      await after?.();
      await Promise.all((['zkcli', 'paddock'] as const).map((s) => shells[s].waitForOutput(until, { since: since[s], timeoutMs: 10_000 })));
      return { zkcli: shells.zkcli.outputSince(since.zkcli), paddock: shells.paddock.outputSince(since.paddock) };
    }

    test('get -w, then another client sets the node: the same WATCHER:: block', async () => {
      const got = await both(`get -w ${node}`, /^v0$/m);
      expect(got.paddock).toBe(got.zkcli);
      const fired = await both('', /WatchedEvent state:SyncConnected type:NodeDataChanged path:\S+\n/, () => sdk.setData(node, 'v1'));
      expect(fired.paddock).toBe(`\nWATCHER::\n\nWatchedEvent state:SyncConnected type:NodeDataChanged path:${node}\n`);
      expect(fired.paddock).toBe(fired.zkcli);
    }, 30_000);

    test('ls -w and a child created elsewhere; addWatch (recursive) and a grandchild', async () => {
      const listed = await both(`ls -w ${node}`, /^\[\]$/m);
      expect(listed.paddock).toBe(listed.zkcli);
      const fired = await both('', /type:NodeChildrenChanged path:\S+\n/, () => sdk.create(`${node}/kid`, 'k'));
      expect(fired.paddock).toBe(fired.zkcli);
      await both(`addWatch ${node}`, '', undefined);
      const deep = await both('', /type:NodeCreated path:\S+\n/, async () => {
        await new Promise((r) => setTimeout(r, 300)); // let both register the watch first
        await sdk.create(`${node}/kid/grandkid`, 'g');
      });
      expect(deep.paddock).toBe(`\nWATCHER::\n\nWatchedEvent state:SyncConnected type:NodeCreated path:${node}/kid/grandkid\n`);
      expect(deep.paddock).toBe(deep.zkcli);
    }, 30_000);

    test('quit closes the session (Closed event) and exits 0', async () => {
      const out = await both('quit', 'WatchedEvent state:Closed type:None path:null');
      expect(out.paddock).toBe(out.zkcli);
      const exits = await Promise.all(Object.values(shells).map((p) => p.exited));
      expect(exits.map((e) => e.code)).toEqual([0, 0]);
    }, 30_000);
  });
});

describe('interactive terminal: prompt, history and tab completion (pseudo-terminal)', () => {
  const scriptBin = '/usr/bin/script';
  const available = existsSync(scriptBin);
  let server: ServerHandle;
  let sdk: ZooKeeperClient;
  let shell: ManagedProcess | undefined;
  const base = `/shtab${process.pid}`;

  beforeAll(async () => {
    const [, start] = TARGETS[0]!;
    server = await start(SERVER_OPTIONS);
    sdk = new ZooKeeperClient(server.connectString, { sessionTimeout: 10_000 });
    await sdk.waitForConnected(15_000);
    await sdk.create(base, 'b');
    await sdk.create(`${base}/alpha`, 'a');
    await sdk.create(`${base}/alpine`, 'p');
    await sdk.create(`${base}/beta`, 'z');
  }, 60_000);

  afterAll(async () => {
    if (shell?.running) await shell.stop({ signal: 'SIGKILL' });
    await sdk?.close();
    await server?.stop();
  });

  (available ? test : test.skip)('prompt with the state and command count, completion of paths and commands, history', async () => {
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(PADDOCK_BIN)} shell -server ${server.connectString}`;
    shell = spawnManaged({ name: 'shell-pty', command: scriptBin, args: ['-qfec', cmd, '/dev/null'], cwd: REPO_ROOT, env: NODE_ENV, stdin: 'pipe' });
    const p = shell;
    const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');
    const plain = (since: number) => p.outputSince(since).replace(ansi, '').replace(/\r/g, '');
    /**
     * Types `text`; waits until the output since `since` (default: since typing), without terminal escapes
     * and carriage returns, matches `until` (readline redraws the line with escapes between the characters).
     */
    const type = async (text: string, until: RegExp, since = p.outputOffset): Promise<string> => {
      p.write(text);
      await waitFor(`the terminal to show ${until}`, () => (until.test(plain(since)) ? true : undefined), { timeoutMs: 10_000, intervalMs: 20 }).catch(() => undefined);
      const got = plain(since);
      expect(got).toMatch(until);
      return got;
    };
    await p.waitForOutput('JLine support is enabled', { timeoutMs: 15_000 });
    await p.waitForOutput(`[zk: ${server.connectString}(CONNECTED) 0] `, { timeoutMs: 15_000 });

    // a unique child completes in place
    let line = p.outputOffset;
    await type(`get ${base}/b`, /b$/);
    await type('\t', new RegExp(`get ${base}/beta$`), line);
    const got = await type('\n', /^z$/m, line);
    expect(got).toContain(`get ${base}/beta\n`);
    await p.waitForOutput(`(CONNECTED) 1] `, { timeoutMs: 5_000 });

    // several candidates: the common prefix, then the list on a second tab
    line = p.outputOffset;
    await type(`ls ${base}/al`, /al$/);
    await type('\t', new RegExp(`ls ${base}/alp$`), line);
    const since = p.outputOffset;
    // the candidates, then the prompt and the line again
    await type('\t', new RegExp(`alpha\\s+alpine\\s*\\n[^]*\\(CONNECTED\\) 1\\] ls ${base}/alp$`));
    expect(plain(since)).not.toContain('beta');
    await type('\x15', /\] $/); // Ctrl-U: clear the line

    // command names complete too
    line = p.outputOffset;
    await type('getAll', /getAll$/);
    await type('\t', /getAllChildrenNumber$/, line);
    await type(` ${base}\n`, /^3$/m);

    // history: the up arrow brings back the last line
    await type('\x1b[A', /getAllChildrenNumber/);
    await type('\n', /^3$/m);
    const hist = await type('history\n', /3 - history/);
    expect(hist).toContain(`0 - get ${base}/beta`);
    expect(hist).toContain(`1 - getAllChildrenNumber ${base}`);
    expect(hist).toContain(`2 - getAllChildrenNumber ${base}`);

    // a watch event while idle is printed and the prompt comes back
    await type(`get -w ${base}\n`, /^b$/m);
    const idle = p.outputOffset;
    await sdk.setData(base, 'b2');
    await p.waitForOutput(/type:NodeDataChanged path:\S+\r?\n[^]*\(CONNECTED\) 5\] /, { since: idle, timeoutMs: 10_000 });

    p.write('quit\n');
    const exit = await p.exited;
    expect(exit.code).toBe(0);
  }, 60_000);
});

describe.each(TARGETS)('null data (%s)', (kind, start) => {
  let server: ServerHandle;
  beforeAll(async () => {
    server = await start(SERVER_OPTIONS);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  // ZooKeeperClient.getData keeps null data (a node created without data) as null, so the shell prints "null" as zkCli does
  test(`get of a node created without data prints "null" like zkCli (${kind})`, async () => {
    const path = `/shnull-${kind}-${process.pid}`;
    const [zk, pd] = await Promise.all([
      run('zkcli', ['-server', server.connectString], `create ${path}-z\nget ${path}-z\n`),
      run('paddock', ['-server', server.connectString], `create ${path}-p\nget ${path}-p\n`),
    ]);
    expect(zk.stdout).toMatch(/^null$/m);
    expect(withoutConnectEvent(pd.stdout)).toBe(withoutConnectEvent(zk.stdout));
  }, 60_000);
});
