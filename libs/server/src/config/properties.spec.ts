import { describe, expect, it } from '@jest/globals';
import { parseProperties } from './properties.js';
import { ConfigError } from './config-error.js';

const kv = (text: string): [string, string, number][] =>
  parseProperties(text, 'zoo.cfg').map((e) => [e.key, e.value, e.line]);

describe('parseProperties (java.util.Properties rules)', () => {
  it('reads key=value lines with their line numbers, skipping comments and blank lines', () => {
    expect(kv('# comment\n! also a comment\n\ntickTime=2000\n  dataDir=/tmp/zk\n')).toEqual([
      ['tickTime', '2000', 4],
      ['dataDir', '/tmp/zk', 5],
    ]);
  });

  it('accepts =, : and whitespace as separators, with blanks around them', () => {
    expect(kv('a = 1\nb:2\nc 3\nd\t=\t4\ne :5')).toEqual([
      ['a', '1', 1],
      ['b', '2', 2],
      ['c', '3', 3],
      ['d', '4', 4],
      ['e', '5', 5],
    ]);
  });

  it('trims trailing blanks of values (ZooKeeper trims) and keeps inline "#" text', () => {
    expect(kv('tickTime=2000   \nclientPort=2181 # port')).toEqual([
      ['tickTime', '2000', 1],
      ['clientPort', '2181 # port', 2],
    ]);
  });

  it('handles CRLF and CR line endings', () => {
    expect(kv('a=1\r\nb=2\rc=3')).toEqual([
      ['a', '1', 1],
      ['b', '2', 2],
      ['c', '3', 3],
    ]);
  });

  it('joins backslash-continued lines and reports the first line', () => {
    expect(kv('x=1\n4lw.commands.whitelist=srvr, \\\n    stat, \\\n    ruok\ny=2')).toEqual([
      ['x', '1', 1],
      ['4lw.commands.whitelist', 'srvr, stat, ruok', 2],
      ['y', '2', 5],
    ]);
  });

  it('does not continue a line ending in an even number of backslashes', () => {
    expect(kv('a=x\\\\\nb=2')).toEqual([
      ['a', 'x\\', 1],
      ['b', '2', 2],
    ]);
  });

  it('decodes escapes like Java (a lone backslash is dropped)', () => {
    expect(kv('a=tab\\there\nb=\\u0041BC\nc=C:\\data\nd\\=e=f')).toEqual([
      ['a', 'tab\there', 1],
      ['b', 'ABC', 2],
      ['c', 'C:data', 3],
      ['d=e', 'f', 4],
    ]);
  });

  it('rejects a malformed \\u escape with the line number', () => {
    expect(() => parseProperties('a=1\nb=\\u12', 'zoo.cfg')).toThrow(new ConfigError('zoo.cfg', 2, undefined, 'malformed \\uxxxx escape'));
    expect(() => parseProperties('a=1\nb=\\u12', 'zoo.cfg')).toThrow('zoo.cfg:2: malformed \\uxxxx escape');
  });

  it('gives a key with no value an empty value', () => {
    expect(kv('dataDir\nclientPort=')).toEqual([
      ['dataDir', '', 1],
      ['clientPort', '', 2],
    ]);
  });
});
