import { describe, expect, it } from '@jest/globals';
import { parseArgs, UsageError, type CliCommand } from './args.js';

function usageError(argv: string[]): UsageError {
  try {
    parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
  throw new Error(`expected a UsageError for ${JSON.stringify(argv)}`);
}

describe('parseArgs: commands', () => {
  it.each<[string[], CliCommand]>([
    [['help'], { kind: 'help', topic: 'main' }],
    [['--help'], { kind: 'help', topic: 'main' }],
    [['-h'], { kind: 'help', topic: 'main' }],
    [['help', 'server'], { kind: 'help', topic: 'server' }],
    [['version'], { kind: 'version' }],
    [['provider', '--service', 'x'], { kind: 'provider', args: ['--service', 'x'] }],
    [['--version'], { kind: 'version' }],
    [['-v'], { kind: 'version' }],
  ])('%j', (argv, expected) => {
    expect(parseArgs(argv)).toEqual(expected);
  });

  it.each<[string[], string]>([
    [[], 'missing command'],
    [['serve'], 'unknown command: serve'],
    [['--port'], 'unknown option: --port'],
    [['help', 'nope'], 'no help for nope'],
    [['version', 'x'], 'unexpected argument: x'],
  ])('%j is a usage error', (argv, message) => {
    const err = usageError(argv);
    expect(err.message).toBe(message);
    expect(err.topic).toBe('main');
  });
});

describe('parseArgs: server', () => {
  it.each<[string[], CliCommand]>([
    [['server', '--config', 'conf/zoo.cfg'], { kind: 'server', config: 'conf/zoo.cfg' }],
    [['server', '-c', 'conf/zoo.cfg'], { kind: 'server', config: 'conf/zoo.cfg' }],
    [['server', '--config=conf/zoo.cfg'], { kind: 'server', config: 'conf/zoo.cfg' }],
    [['server', 'conf/zoo.cfg'], { kind: 'server', config: 'conf/zoo.cfg' }],
    [['server', '--', '-odd-name.cfg'], { kind: 'server', config: '-odd-name.cfg' }],
    [['server', '--data-dir', '/tmp/pd'], { kind: 'server', flags: { dataDir: '/tmp/pd' } }],
    [['server', '--port', '2182', '--data-dir', '/tmp/pd'], { kind: 'server', flags: { dataDir: '/tmp/pd', port: '2182' } }],
    [['server', '-p', '0', '-d', '/tmp/pd'], { kind: 'server', flags: { dataDir: '/tmp/pd', port: '0' } }],
    [['server', '--port=2182', '--data-dir=/tmp/pd'], { kind: 'server', flags: { dataDir: '/tmp/pd', port: '2182' } }],
    [
      ['server', '-d', '/d', '--data-log-dir', '/l', '--tick-time', '2000', '--max-client-cnxns', '0', '--client-port-address', '127.0.0.1', '--4lw', 'srvr,ruok'],
      { kind: 'server', flags: { dataDir: '/d', dataLogDir: '/l', tickTime: '2000', maxClientCnxns: '0', clientPortAddress: '127.0.0.1', fourLetterWords: 'srvr,ruok' } },
    ],
    [['server', '--4lw=*', '-d', '/d'], { kind: 'server', flags: { dataDir: '/d', fourLetterWords: '*' } }],
    // values are validated later by configFromFlags (as zoo.cfg values), not here
    [['server', '--port', '-1', '-d', '/d'], { kind: 'server', flags: { dataDir: '/d', port: '-1' } }],
    [['server', '--help'], { kind: 'help', topic: 'server' }],
    [['server', '-d', '/d', '-h'], { kind: 'help', topic: 'server' }],
  ])('%j', (argv, expected) => {
    expect(parseArgs(argv)).toEqual(expected);
  });

  it.each<[string[], string]>([
    [['server'], 'either --config <zoo.cfg> or --data-dir <dir> is required'],
    [['server', '--port', '2181'], 'either --config <zoo.cfg> or --data-dir <dir> is required'],
    [['server', '--config'], '--config needs a value'],
    [['server', '--data-dir', '--port', '1'], '--data-dir needs a value'],
    [['server', '--config='], '--config needs a non-empty value'],
    [['server', '--bogus', 'x'], 'unknown option: --bogus'],
    [['server', '--bogus=x'], 'unknown option: --bogus'],
    [['server', '-d', '/a', '--data-dir', '/b'], '--data-dir given more than once'],
    [['server', 'a.cfg', 'b.cfg'], '--config given more than once'],
    [['server', '--config', 'zoo.cfg', '--port', '2181'], '--config cannot be combined with --port (put those settings in the zoo.cfg)'],
    [['server', 'zoo.cfg', '-d', '/d', '-p', '1'], '--config cannot be combined with --data-dir, --port (put those settings in the zoo.cfg)'],
  ])('%j is a usage error pointing at the server help', (argv, message) => {
    const err = usageError(argv);
    expect(err.message).toBe(message);
    expect(err.topic).toBe('server');
  });
});
