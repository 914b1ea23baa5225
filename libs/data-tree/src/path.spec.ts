import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { ParentPathCache, parentOf, sequentialSuffix, validatePath } from './path.js';

describe('validatePath (PathUtils rules)', () => {
  const valid = ['/', '/a', '/a/b', '/a.b', '/..a', '/a..', '/.a', '/a/...', '/zookeeper', '/ä', '/中文', '/a b', '/a-b_c'];
  const invalid: Array<[string, RegExp]> = [
    ['', /length/],
    ['a', /start with/],
    ['/a/', /end with/],
    ['//', /end with/],
    ['/a//b', /empty node name/],
    ['/.', /relative/],
    ['/..', /relative/],
    ['/a/./b', /relative/],
    ['/a/../b', /relative/],
    ['/a/..', /relative/],
    ['/a\u0000b', /null character/],
    ['/a\u0001', /invalid character/],
    ['/a\u001f', /invalid character/],
    ['/a\u007f', /invalid character/],
    ['/a\u009f', /invalid character/],
    ['/a\ud800', /invalid character/],
    ['/a\uf8ff', /invalid character/],
    ['/a\ufff0', /invalid character/],
    ['/a\uffff', /invalid character/],
    ['/😀', /invalid character/],
  ];
  it.each(valid)('accepts %j', (p) => expect(validatePath(p)).toBeNull());
  it.each(invalid)('rejects %j', (p, why) => expect(validatePath(p)).toMatch(why));

  it('validates sequential paths as path + "1"', () => {
    expect(validatePath('/a/', false)).not.toBeNull();
    expect(validatePath('/a/', true)).toBeNull();
    expect(validatePath('/a/.', true)).toBeNull(); // "/a/.1"
    expect(validatePath('/a//', true)).not.toBeNull();
  });

  it('accepts characters just outside the forbidden ranges', () => {
    expect(validatePath('/a\u00a0')).toBeNull();
    expect(validatePath('/a\uf900')).toBeNull();
    expect(validatePath('/a\uffef')).toBeNull();
  });
});

describe('parentOf / sequentialSuffix', () => {
  it('computes parents like ZooKeeper (substring before last /)', () => {
    expect(parentOf('/a')).toBe('');
    expect(parentOf('/a/b')).toBe('/a');
  });
  it('formats %010d including negatives and overflow', () => {
    expect(sequentialSuffix(0)).toBe('0000000000');
    expect(sequentialSuffix(42)).toBe('0000000042');
    expect(sequentialSuffix(2147483647)).toBe('2147483647');
    expect(sequentialSuffix(-5)).toBe('-000000005');
    expect(sequentialSuffix(-2147483648)).toBe('-2147483648');
    expect(sequentialSuffix(2147483648)).toBe('-2147483648'); // int32 wrap
  });
});

describe('ParentPathCache', () => {
  it('answers exactly path.substring(0, lastSlash) whatever the sequence of paths (property)', () => {
    const segment = fc.constantFrom('a', 'ab', 'b', 'abc', 'n1', 'n12');
    const arbPath = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => '/' + parts.join('/'));
    fc.assert(
      fc.property(fc.array(arbPath, { minLength: 1, maxLength: 30 }), (paths) => {
        const cache = new ParentPathCache();
        for (const p of paths) {
          const lastSlash = p.lastIndexOf('/');
          expect(cache.of(p, lastSlash)).toBe(p.substring(0, lastSlash));
        }
      }),
    );
  });

  it('hands back the same string object for siblings', () => {
    const cache = new ParentPathCache();
    const first = cache.of('/app/n1', 4);
    expect(cache.of('/app/n2', 4)).toBe(first);
    expect(cache.of('/apx/n2', 4)).toBe('/apx');
    expect(cache.of('/n', 0)).toBe('');
  });
});
