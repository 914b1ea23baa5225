import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The real config code (not the whole server library): the CLI's error paths end to end.
import { configFromFlags, loadZooConfig, type ServerConfig } from '../../../libs/server/src/config/index.js';
import { main, paddockVersion, type CliDeps, type ServerModule, type ShutdownSignal } from './main.js';
import { MAIN_HELP, SERVER_HELP } from './args.js';

interface Harness {
  deps: Partial<CliDeps>;
  out: () => string;
  err: () => string;
  started: ServerConfig[];
  closed: () => number;
  signal: (s: ShutdownSignal) => void;
  listeners: () => number;
  exits: number[];
}

function harness(startServer?: ServerModule['startServer']): Harness {
  let out = '';
  let err = '';
  let closed = 0;
  const started: ServerConfig[] = [];
  const exits: number[] = [];
  const handlers = new Map<ShutdownSignal, Set<() => void>>([['SIGINT', new Set()], ['SIGTERM', new Set()]]);
  const server: ServerModule = {
    ZOOKEEPER_COMPAT_VERSION: '3.8.4',
    loadZooConfig,
    configFromFlags,
    startServer: startServer ?? (async (config) => {
      started.push(config);
      return { port: config.clientPort === 0 ? 40123 : config.clientPort, close: async () => { closed++; } };
    }),
  };
  return {
    deps: {
      stdout: (t) => { out += t; },
      stderr: (t) => { err += t; },
      loadServer: async () => server,
      onSignal: (s, h) => {
        handlers.get(s)!.add(h);
        return () => handlers.get(s)!.delete(h);
      },
      exit: (code) => { exits.push(code); },
    },
    out: () => out,
    err: () => err,
    started,
    closed: () => closed,
    signal: (s) => [...handlers.get(s)!].forEach((h) => h()),
    listeners: () => handlers.get('SIGINT')!.size + handlers.get('SIGTERM')!.size,
    exits,
  };
}

/** Lets pending promise callbacks run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
};

/** Waits (a bounded time) until `cond` holds, e.g. until config files have been read. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(cond()).toBe(true);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paddock-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('paddock help / version', () => {
  it('prints the main help on stdout and exits 0', async () => {
    const h = harness();
    expect(await main(['help'], h.deps)).toBe(0);
    expect(h.out()).toBe(MAIN_HELP);
    expect(h.err()).toBe('');
  });

  it('prints the server help', async () => {
    const h = harness();
    expect(await main(['server', '--help'], h.deps)).toBe(0);
    expect(h.out()).toBe(SERVER_HELP);
  });

  it('prints the version', async () => {
    const h = harness();
    expect(await main(['version'], h.deps)).toBe(0);
    expect(h.out()).toBe(`paddock ${paddockVersion()} (ZooKeeper 3.8.4 compatible)\n`);
    expect(paddockVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('paddock usage and configuration errors exit 2 without a stack trace', () => {
  it.each<[string[], string]>([
    [[], "paddock: missing command\nRun 'paddock help' for usage.\n"],
    [['frobnicate'], "paddock: unknown command: frobnicate\nRun 'paddock help' for usage.\n"],
    [['server'], "paddock: either --config <zoo.cfg> or --data-dir <dir> is required\nRun 'paddock server --help' for usage.\n"],
    [['server', '-d', '/tmp/x', '--port', 'http'], 'paddock: command line: --port: expected a port number (0-65535), got "http"\n'],
    [['server', '-d', '/tmp/x', '--4lw', 'rouk'], 'paddock: command line: --4lw: unknown four-letter word "rouk" (known: conf, cons, crst, dirs, dump, envi, ruok, srst, srvr, stat, wchc, wchp, wchs, mntr, isro, gtmk, stmk, hash, or *)\n'],
  ])('%j', async (argv, stderr) => {
    const h = harness();
    expect(await main(argv, h.deps)).toBe(2);
    expect(h.err()).toBe(stderr);
    expect(h.out()).toBe('');
    expect(h.started).toHaveLength(0);
  });

  it('reports a zoo.cfg error with file, line and key', async () => {
    const file = join(dir, 'bad.cfg');
    await writeFile(file, 'dataDir=/tmp/x\nclientPort=2181\ntickTime=abc\n');
    const h = harness();
    expect(await main(['server', '--config', file], h.deps)).toBe(2);
    expect(h.err()).toBe(`paddock: ${file}:3: tickTime: expected a positive integer, got "abc"\n`);
  });

  it('reports a missing zoo.cfg', async () => {
    const file = join(dir, 'missing.cfg');
    const h = harness();
    expect(await main(['server', file], h.deps)).toBe(2);
    expect(h.err()).toBe(`paddock: ${file}: cannot read the configuration file (no such file)\n`);
  });
});

describe('paddock server', () => {
  it('starts from flags with ZooKeeper defaults and shuts down cleanly on SIGTERM', async () => {
    const h = harness();
    const exit = main(['server', '--port', '0', '--data-dir', join(dir, 'flags')], h.deps);
    await until(() => h.err().includes('serving'));
    expect(h.started).toHaveLength(1);
    expect(h.started[0]).toMatchObject({ clientPort: 0, dataDir: join(dir, 'flags'), tickTime: 3000, fourLetterWordWhitelist: ['srvr'] });
    expect(h.err()).toBe(`paddock: serving ZooKeeper clients on 0.0.0.0:40123 (standalone, dataDir ${join(dir, 'flags')})\n`);
    expect(h.closed()).toBe(0);

    h.signal('SIGTERM');
    expect(await exit).toBe(0);
    expect(h.closed()).toBe(1);
    expect(h.err()).toContain('paddock: SIGTERM received, shutting down\npaddock: stopped\n');
    expect(h.listeners()).toBe(0);
  });

  it('starts from a zoo.cfg, prints its warnings, and stops on SIGINT', async () => {
    const file = join(dir, 'ok.cfg');
    await writeFile(file, `dataDir=${join(dir, 'cfg')}\nclientPort=2999\nclientPortAddress=127.0.0.1\nautopurge.snapRetainCount=1\n`);
    const h = harness();
    const exit = main(['server', '-c', file], h.deps);
    await until(() => h.err().includes('serving'));
    expect(h.started[0]).toMatchObject({ configFile: file, clientPort: 2999, clientPortAddress: '127.0.0.1' });
    expect(h.err()).toBe(
      'paddock: warning: autopurge.snapRetainCount: 1 is below the minimum, using 3\n'
      + `paddock: serving ZooKeeper clients on 127.0.0.1:2999 (standalone, dataDir ${join(dir, 'cfg')})\n`,
    );
    h.signal('SIGINT');
    expect(await exit).toBe(0);
    expect(h.closed()).toBe(1);
  });

  it('a second signal while closing exits at once', async () => {
    let finishClose: () => void = () => undefined;
    const h = harness(async () => ({ port: 1, close: () => new Promise<void>((r) => { finishClose = r; }) }));
    const exit = main(['server', '-d', join(dir, 'twice')], h.deps);
    await until(() => h.err().includes('serving'));
    h.signal('SIGINT');
    await settle();
    h.signal('SIGINT');
    expect(h.exits).toEqual([130]);
    expect(h.err()).toContain('paddock: SIGINT received again, exiting without a clean shutdown\n');
    finishClose();
    expect(await exit).toBe(0);
  });

  it('a signal during startup shuts down as soon as the server is up', async () => {
    let up: ((v: { port: number; close(): Promise<void> }) => void) | undefined;
    const close = jest.fn(async () => undefined);
    const h = harness(() => new Promise((r) => { up = r; }));
    const exit = main(['server', '-d', join(dir, 'early')], h.deps);
    await until(() => up !== undefined);
    h.signal('SIGTERM');
    up!({ port: 2181, close });
    expect(await exit).toBe(0);
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('exits 1 when the server fails to start', async () => {
    const h = harness(async () => {
      throw new Error('listen EADDRINUSE: address already in use :::2181');
    });
    expect(await main(['server', '-d', join(dir, 'busy')], h.deps)).toBe(1);
    expect(h.err()).toBe('paddock: failed to start: listen EADDRINUSE: address already in use :::2181\n');
    expect(h.listeners()).toBe(0);
  });

  it('exits 2 when the server rejects the configuration', async () => {
    const h = harness(async () => {
      const e = new Error('zoo.cfg: dataDir: not writable');
      e.name = 'ConfigError';
      throw e;
    });
    expect(await main(['server', '-d', join(dir, 'ro')], h.deps)).toBe(2);
    expect(h.err()).toBe('paddock: zoo.cfg: dataDir: not writable\n');
  });

  it('exits 1 when closing fails', async () => {
    const h = harness(async () => ({ port: 1, close: async () => { throw new Error('disk gone'); } }));
    const exit = main(['server', '-d', join(dir, 'close-fail')], h.deps);
    await until(() => h.err().includes('serving'));
    h.signal('SIGTERM');
    expect(await exit).toBe(1);
    expect(h.err()).toContain('paddock: error while shutting down: disk gone\n');
  });
});
