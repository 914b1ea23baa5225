import { describe, expect, test } from '@jest/globals';
import { completeLine } from './completer.js';

const TREE: Record<string, string[]> = {
  '/': ['zookeeper', 'app', 'apple', 'b'],
  '/app': ['config', 'cache', 'x'],
  '/zookeeper': ['quota', 'config'],
};
const list = async (path: string): Promise<string[]> => {
  const children = TREE[path];
  if (!children) throw new Error(`NoNode ${path}`);
  return [...children];
};
const COMMANDS = ['ls', 'get', 'getAcl', 'getAllChildrenNumber', 'getEphemerals', 'set', 'setAcl', 'stat', 'quit'];

describe('completeLine (JLineZNodeCompleter)', () => {
  test('children of the root', async () => {
    expect(await completeLine('ls /', COMMANDS, list)).toEqual([['app', 'apple', 'b', 'zookeeper'], '']);
    expect(await completeLine('ls /ap', COMMANDS, list)).toEqual([['app', 'apple'], 'ap']);
    expect(await completeLine('get /z', COMMANDS, list)).toEqual([['zookeeper'], 'z']);
  });
  test('children of a deeper node, sorted', async () => {
    expect(await completeLine('get -s /app/c', COMMANDS, list)).toEqual([['cache', 'config'], 'c']);
    expect(await completeLine('ls /app/', COMMANDS, list)).toEqual([['cache', 'config', 'x'], '']);
  });
  test('a missing parent offers nothing', async () => {
    expect(await completeLine('ls /nope/x', COMMANDS, list)).toEqual([[], 'x']);
  });
  test('command names for a word not starting with /', async () => {
    expect(await completeLine('ge', COMMANDS, list)).toEqual([['get', 'getAcl', 'getAllChildrenNumber', 'getEphemerals'], 'ge']);
    expect(await completeLine('', COMMANDS, list)).toEqual([[...COMMANDS].sort(), '']);
    expect(await completeLine('ls ', COMMANDS, list)).toEqual([[...COMMANDS].sort(), '']);
    expect(await completeLine('s', COMMANDS, list)).toEqual([['set', 'setAcl', 'stat'], 's']);
  });
});
