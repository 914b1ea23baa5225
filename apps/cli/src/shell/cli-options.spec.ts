import { describe, expect, test } from '@jest/globals';
import { OptionParseError, parseCommandLine, parseShellOptions, tokenizeLine } from './cli-options.js';

const LS = { '?': false, s: false, w: false, R: false };
const CREATE = { e: false, s: false, c: false, t: true };
const SET = { s: false, v: true };

function parse(spec: Record<string, boolean>, line: string) {
  const cl = parseCommandLine(spec, tokenizeLine(line));
  const opts: Record<string, string | true> = {};
  for (const name of Object.keys(spec)) if (cl.has(name)) opts[name] = cl.value(name) ?? true;
  return { args: cl.args, opts };
}

describe('parseCommandLine (commons-cli DefaultParser)', () => {
  test('flags before, between and after the arguments', () => {
    expect(parse(LS, 'ls -s -w /a')).toEqual({ args: ['ls', '/a'], opts: { s: true, w: true } });
    expect(parse(LS, 'ls /a -R')).toEqual({ args: ['ls', '/a'], opts: { R: true } });
  });
  test('concatenated flags and values', () => {
    expect(parse(CREATE, 'create -se /a')).toEqual({ args: ['create', '/a'], opts: { s: true, e: true } });
    expect(parse(CREATE, 'create -t 500 /a d')).toEqual({ args: ['create', '/a', 'd'], opts: { t: '500' } });
    expect(parse(CREATE, 'create -t500 /a')).toEqual({ args: ['create', '/a'], opts: { t: '500' } });
    expect(parse(CREATE, 'create -st500 /a')).toEqual({ args: ['create', '/a'], opts: { s: true, t: '500' } });
    expect(parse(CREATE, 'create -t=500 /a')).toEqual({ args: ['create', '/a'], opts: { t: '500' } });
  });
  test('a negative number is a value, not an option', () => {
    expect(parse(SET, 'set -v -1 /a x')).toEqual({ args: ['set', '/a', 'x'], opts: { v: '-1' } });
  });
  test('a value-taking option may swallow a path', () => {
    expect(parse(CREATE, 'create -t /a')).toEqual({ args: ['create'], opts: { t: '/a' } });
  });
  test('"--" ends the options', () => {
    expect(parse(SET, 'set /a -- -x')).toEqual({ args: ['set', '/a', '-x'], opts: {} });
  });
  test('a lone "-" is an argument', () => {
    expect(parse(SET, 'set /a -')).toEqual({ args: ['set', '/a', '-'], opts: {} });
  });
  test('unknown options and missing values fail with the commons-cli messages', () => {
    expect(() => parse(LS, 'ls -x /')).toThrow(new OptionParseError('UnrecognizedOptionException', 'Unrecognized option: -x'));
    expect(() => parse(LS, 'ls -sx /')).toThrow('org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -sx');
    expect(() => parse(SET, 'set /a -1')).toThrow('Unrecognized option: -1');
    expect(() => parse(LS, 'ls --all /')).toThrow('Unrecognized option: --all');
    expect(() => parse(CREATE, 'create -t')).toThrow('org.apache.commons.cli.MissingArgumentException: Missing argument for option: t');
    expect(() => parse(SET, 'set -v -s /a x')).toThrow('Missing argument for option: v');
  });
  test('the first value of a repeated option wins', () => {
    expect(parse(SET, 'set -v 1 -v 2 /a x').opts).toEqual({ v: '1' });
  });
});

describe('tokenizeLine (ZooKeeperMain.parseCommand)', () => {
  test('words separated by whitespace', () => {
    expect(tokenizeLine('  ls   -s /a  ')).toEqual(['ls', '-s', '/a']);
    expect(tokenizeLine('')).toEqual([]);
    // the pattern's first alternative accepts a space, as in Java: a blank line is one " " word
    expect(tokenizeLine('   ')).toEqual([' ']);
  });
  test('quoted words keep their spaces, quotes are stripped', () => {
    expect(tokenizeLine('set /a "x y  z"')).toEqual(['set', '/a', 'x y  z']);
    expect(tokenizeLine("set /a 'it \"is\"'")).toEqual(['set', '/a', 'it "is"']);
    expect(tokenizeLine('set /a ""')).toEqual(['set', '/a', '']);
  });
  test('a quote inside a word is kept; an unterminated quote is skipped', () => {
    expect(tokenizeLine('set /a x"y')).toEqual(['set', '/a', 'x"y']);
    expect(tokenizeLine('set /a "abc')).toEqual(['set', '/a', 'abc']);
  });
});

describe('parseShellOptions (MyCommandOptions.parseOptions)', () => {
  test('defaults', () => {
    expect(parseShellOptions([])).toEqual({ server: 'localhost:2181', timeout: '30000', readonly: false, waitForConnection: false, errors: [] });
  });
  test('options then a one-shot command', () => {
    const o = parseShellOptions(['-timeout', '2000', '-server', 'h:1/app', '-r', 'create', '-e', '/x', 'd']);
    expect(o).toMatchObject({ server: 'h:1/app', timeout: '2000', readonly: true, command: ['create', '-e', '/x', 'd'] });
  });
  test('unknown dash words are ignored; a missing value is reported', () => {
    expect(parseShellOptions(['-foo', 'ls', '/']).command).toEqual(['ls', '/']);
    expect(parseShellOptions(['-server']).errors).toEqual(['Error: no argument found for option -server']);
  });
});
