import { describe, expect, test } from '@jest/globals';
import { NoNodeError, NodeExistsError, ZooKeeperError } from '@paddock/client';
import { CliError, javaPathError, keeperMessage, wrapError, wrapperMessage } from './errors.js';

describe('zkCli error messages', () => {
  test('CliWrapperException messages for the common codes', () => {
    expect(wrapError(new NoNodeError('/x')).message).toBe('Node does not exist: /x');
    expect(wrapError(new NodeExistsError('/x')).message).toBe('Node already exists: /x');
    expect(wrapperMessage(-111, '/x')).toBe('Node not empty: /x');
    expect(wrapperMessage(-103, '/x')).toBe('version No is not valid : /x');
    expect(wrapperMessage(-102, '/x')).toBe('Insufficient permission : /x');
    expect(wrapperMessage(-114, null)).toBe('Acl is not valid : null');
    expect(wrapperMessage(-108, '/e/x')).toBe('Ephemerals cannot have children: /e/x');
  });
  test('other codes fall back to KeeperException.getMessage', () => {
    expect(wrapError(new ZooKeeperError(-121, '/t1')).message).toBe('KeeperErrorCode = No such watcher for /t1');
    expect(wrapError(new ZooKeeperError(-115, '/r')).message).toBe('KeeperErrorCode = AuthFailed for /r');
    expect(keeperMessage(-4, undefined)).toBe('KeeperErrorCode = ConnectionLoss');
    expect(keeperMessage(-114, '')).toBe('KeeperErrorCode = InvalidACL');
  });
  test('CliErrors pass through; exit code defaults to 1', () => {
    const e = new CliError('Command not found: x', 127);
    expect(wrapError(e)).toBe(e);
    expect(new CliError('m').exitCode).toBe(1);
  });
  test('PathUtils.validatePath messages', () => {
    expect(javaPathError('/a/b')).toBeUndefined();
    expect(javaPathError('/')).toBeUndefined();
    expect(javaPathError('r')).toBe('Path must start with / character');
    expect(javaPathError('/r/')).toBe('Path must not end with / character');
    expect(javaPathError('')).toBe('Path length must be > 0');
    expect(javaPathError('/r/../x')).toBe('Invalid path string "/r/../x" caused by relative paths not allowed @4');
    expect(javaPathError('/r//x')).toBe('Invalid path string "/r//x" caused by empty node name specified @3');
    expect(javaPathError('/r/', true)).toBeUndefined();
  });
});
