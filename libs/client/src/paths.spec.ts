import { describe, expect, it } from '@jest/globals';
import { InvalidPathError, pathProblem, selfAndAncestors, toClientPath, toServerPath, validatePath } from './paths.js';

describe('validatePath', () => {
  it.each(['/', '/a', '/a/b', '/a.b', '/..a', '/a/...', '/zookeeper'])('accepts %j', (p) => {
    expect(pathProblem(p)).toBeUndefined();
  });
  it.each(['', 'a', '/a/', '//a', '/a//b', '/.', '/a/..', '/a/./b', '/a\u0000', '/a\u0001', '/\u007f', '/\ud83d\ude00', '/\ufff0'])('rejects %j', (p) => {
    expect(pathProblem(p)).toBeDefined();
    expect(() => validatePath(p)).toThrow(InvalidPathError);
  });
  it('allows a trailing slash for sequential nodes only', () => {
    expect(pathProblem('/a/', true)).toBeUndefined();
    expect(pathProblem('/a/')).toBeDefined();
  });
  it('reports BAD_ARGUMENTS with the path', () => {
    try {
      validatePath('x');
      throw new Error('not thrown');
    } catch (e) {
      expect(e).toMatchObject({ code: -8, codeName: 'BAD_ARGUMENTS', path: 'x' });
    }
  });
});

describe('chroot mapping', () => {
  it('prepends and strips', () => {
    expect(toServerPath('/app', '/')).toBe('/app');
    expect(toServerPath('/app', '/x/y')).toBe('/app/x/y');
    expect(toServerPath(undefined, '/x')).toBe('/x');
    expect(toClientPath('/app', '/app')).toBe('/');
    expect(toClientPath('/app', '/app/x')).toBe('/x');
    expect(toClientPath(undefined, '/app/x')).toBe('/app/x');
  });
  it('leaves paths outside the chroot alone (no false prefix match)', () => {
    expect(toClientPath('/app', '/apple/x')).toBe('/apple/x');
    expect(toClientPath('/app', '/other')).toBe('/other');
  });
  it('round-trips', () => {
    for (const p of ['/', '/a', '/a/b/c']) expect(toClientPath('/r/s', toServerPath('/r/s', p))).toBe(p);
  });
});

describe('selfAndAncestors', () => {
  it('walks up to the root', () => {
    expect([...selfAndAncestors('/a/b/c')]).toEqual(['/a/b/c', '/a/b', '/a', '/']);
    expect([...selfAndAncestors('/')]).toEqual(['/']);
  });
});
