import { describe, expect, it } from '@jest/globals';
import { diffLines, formatUnified } from './diff.js';

describe('line diff', () => {
  it('finds additions, removals and changes with line numbers', () => {
    const r = diffLines('a\nb\nc\nd\n', 'a\nB\nc\nd\ne\n');
    expect(r).toMatchObject({ added: 2, removed: 1, identical: false });
    expect(r.lines.map((l) => `${l.op[0]}${l.text}`)).toEqual(['ea', 'rb', 'aB', 'ec', 'ed', 'ae']);
    expect(r.lines.find((l) => l.text === 'e')).toMatchObject({ newLine: 5 });
    expect(r.lines.find((l) => l.text === 'b')).toMatchObject({ oldLine: 2 });
  });

  it('handles empty sides, identical texts and CRLF', () => {
    expect(diffLines('', 'x\ny').added).toBe(2);
    expect(diffLines('x\ny', '').removed).toBe(2);
    expect(diffLines('x\r\ny\r\n', 'x\ny').identical).toBe(true);
    expect(formatUnified(diffLines('same', 'same'))).toBe('');
  });

  it('finds a minimal diff (LCS)', () => {
    const r = diffLines('1\n2\n3\n4\n5\n6', '0\n1\n2\n4\n5\n6\n7');
    expect(r.added).toBe(2);
    expect(r.removed).toBe(1);
  });

  it('renders unified hunks', () => {
    const old = Array.from({ length: 20 }, (_, i) => `line${i + 1}`).join('\n');
    const next = old.replace('line3', 'LINE3').replace('line18', 'LINE18');
    const text = formatUnified(diffLines(old, next), { from: 'v1', to: 'v2', context: 1 });
    expect(text).toBe('--- v1\n+++ v2\n@@ -2,3 +2,3 @@\n line2\n-line3\n+LINE3\n line4\n@@ -17,3 +17,3 @@\n line17\n-line18\n+LINE18\n line19\n');
  });

  it('falls back to remove-all/add-all beyond the size cap', () => {
    const r = diffLines('a\nb\nc', 'x\nb\ny', 1);
    expect(r.lines.map((l) => l.op)).toEqual(['remove', 'remove', 'remove', 'add', 'add', 'add']);
  });
});
