import { describe, expect, it } from '@jest/globals';
import { UsageError } from '../args.js';
import { parseProviderArgs } from './provider-options.js';

const base = ['--connect', '127.0.0.1:2181', '--service', 'com.foo.DemoService', '--port', '1099'];

describe('paddock provider arguments', () => {
  it('defaults to an RMI provider on 127.0.0.1 with the JRMP probe chosen later by protocol', () => {
    const o = parseProviderArgs(base)!;
    expect(o).toMatchObject({ connect: '127.0.0.1:2181', service: 'com.foo.DemoService', port: 1099, protocol: 'rmi', host: '127.0.0.1', application: 'DemoService', methods: [], command: [] });
    expect(o.probe).toBeUndefined();
    expect(o).toMatchObject({ probeIntervalMs: 2000, failureThreshold: 2, startTimeoutMs: 60000, sessionTimeoutMs: 10000 });
  });

  it('takes the command after --, repeated --param, --opt=value, probe kinds and digest auth', () => {
    const o = parseProviderArgs([
      ...base,
      '--methods=a, b,c',
      '--param',
      'token=x=y',
      '--param',
      'timeout=500',
      '--probe',
      'http:/ready',
      '--weight',
      '0',
      '--auth',
      'digest:ops:secret:with:colons',
      '--',
      'java',
      '--port',
      '1',
    ])!;
    expect(o.methods).toEqual(['a', 'b', 'c']);
    expect(o.parameters).toEqual({ token: 'x=y', timeout: '500' });
    expect(o.probe).toEqual({ kind: 'http', path: '/ready' });
    expect(o.weight).toBe(0);
    expect(o.auth).toEqual({ scheme: 'digest', secret: 'ops:secret:with:colons' });
    expect(o.command).toEqual(['java', '--port', '1']);
  });

  it('reads the connect string from PADDOCK_CONNECT; --help gives null', () => {
    expect(parseProviderArgs(base.slice(2), { PADDOCK_CONNECT: 'zk:2181' })!.connect).toBe('zk:2181');
    expect(parseProviderArgs([...base, '--help'])).toBeNull();
  });

  it.each([
    [['--service', 'com.foo.S', '--port', '1'], /--connect is required/],
    [['--connect', 'h:1', '--port', '1'], /--service is required/],
    [['--connect', 'h:1', '--service', 'com.foo.S'], /--port is required/],
    [[...base.slice(0, 4), '--port', '70000'], /not a TCP port/],
    [[...base.slice(0, 4), '--port', 'abc'], /--port: expected a positive integer/],
    [[...base, '--service', 'x'], /--service given more than once/],
    [['--connect', 'h:1', '--service', 'not an interface', '--port', '1'], /not an interface name/],
    [[...base, '--probe', 'udp'], /--probe: expected jrmp, tcp or http/],
    [[...base, '--param', 'novalue'], /--param: expected key=value/],
    [[...base, '--bogus'], /unknown option: --bogus/],
    [[...base, 'java'], /put the provider command after --/],
    [[...base, '--'], /nothing after --/],
    [[...base, '--protocol', 'RMI://'], /not a URL scheme/],
    [[...base, '--auth', 'nocolon'], /--auth: expected scheme:secret/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseProviderArgs(argv as string[])).toThrow(UsageError);
    expect(() => parseProviderArgs(argv as string[])).toThrow(message);
  });
});
