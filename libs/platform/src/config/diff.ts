/**
 * Line diff (longest common subsequence, after trimming the common prefix and suffix) and a unified-diff
 * rendering. Inputs larger than `maxCells` (rows x columns of the LCS table, default 4M) fall back to
 * "remove all, add all" for the differing middle part.
 */
export interface DiffLine {
  op: 'equal' | 'add' | 'remove';
  text: string;
  /** 1-based line in the old text (equal/remove). */
  oldLine?: number;
  /** 1-based line in the new text (equal/add). */
  newLine?: number;
}

export interface DiffResult {
  lines: DiffLine[];
  added: number;
  removed: number;
  /** The texts are the same. */
  identical: boolean;
}

export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function diffLines(oldText: string, newText: string, maxCells = 4_000_000): DiffResult {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const out: DiffLine[] = [];
  for (let i = 0; i < start; i++) out.push({ op: 'equal', text: a[i]!, oldLine: i + 1, newLine: i + 1 });
  const n = endA - start;
  const m = endB - start;
  if (n > 0 || m > 0) {
    if (n === 0 || m === 0 || n * m > maxCells) {
      for (let i = start; i < endA; i++) out.push({ op: 'remove', text: a[i]!, oldLine: i + 1 });
      for (let j = start; j < endB; j++) out.push({ op: 'add', text: b[j]!, newLine: j + 1 });
    } else {
      // lcs[i][j] = LCS length of a[start+i..endA) and b[start+j..endB)
      const w = m + 1;
      const lcs = new Uint32Array((n + 1) * w);
      for (let i = n - 1; i >= 0; i--) {
        for (let j = m - 1; j >= 0; j--) {
          lcs[i * w + j] = a[start + i] === b[start + j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
        }
      }
      let i = 0;
      let j = 0;
      while (i < n || j < m) {
        if (i < n && j < m && a[start + i] === b[start + j]) {
          out.push({ op: 'equal', text: a[start + i]!, oldLine: start + i + 1, newLine: start + j + 1 });
          i++;
          j++;
        } else if (j < m && (i === n || lcs[i * w + j + 1]! >= lcs[(i + 1) * w + j]!)) {
          out.push({ op: 'add', text: b[start + j]!, newLine: start + j + 1 });
          j++;
        } else {
          out.push({ op: 'remove', text: a[start + i]!, oldLine: start + i + 1 });
          i++;
        }
      }
    }
  }
  const shift = endB - endA;
  for (let i = endA; i < a.length; i++) out.push({ op: 'equal', text: a[i]!, oldLine: i + 1, newLine: i + 1 + shift });
  // removals before additions inside a changed block (conventional order)
  const lines = reorderBlocks(out);
  const added = lines.filter((l) => l.op === 'add').length;
  const removed = lines.filter((l) => l.op === 'remove').length;
  return { lines, added, removed, identical: added === 0 && removed === 0 };
}

function reorderBlocks(lines: DiffLine[]): DiffLine[] {
  const out: DiffLine[] = [];
  let i = 0;
  while (i < lines.length) {
    if (lines[i]!.op === 'equal') {
      out.push(lines[i++]!);
      continue;
    }
    const block: DiffLine[] = [];
    while (i < lines.length && lines[i]!.op !== 'equal') block.push(lines[i++]!);
    out.push(...block.filter((l) => l.op === 'remove'), ...block.filter((l) => l.op === 'add'));
  }
  return out;
}

/** Unified diff text (`---`/`+++` headers, `@@ -a,b +c,d @@` hunks, `context` lines around changes). */
export function formatUnified(result: DiffResult, options: { from?: string; to?: string; context?: number } = {}): string {
  if (result.identical) return '';
  const context = options.context ?? 3;
  const lines = result.lines;
  let out = `--- ${options.from ?? 'a'}\n+++ ${options.to ?? 'b'}\n`;
  const changed = lines.map((l, i) => (l.op !== 'equal' ? i : -1)).filter((i) => i >= 0);
  let k = 0;
  while (k < changed.length) {
    const from = Math.max(0, changed[k]! - context);
    let to = Math.min(lines.length - 1, changed[k]! + context);
    while (k + 1 < changed.length && changed[k + 1]! - context <= to + 1) {
      k++;
      to = Math.min(lines.length - 1, changed[k]! + context);
    }
    k++;
    const hunk = lines.slice(from, to + 1);
    const oldCount = hunk.filter((l) => l.op !== 'add').length;
    const newCount = hunk.filter((l) => l.op !== 'remove').length;
    const firstOld = hunk.find((l) => l.oldLine !== undefined)?.oldLine ?? lines.slice(0, from).filter((l) => l.op !== 'add').length;
    const firstNew = hunk.find((l) => l.newLine !== undefined)?.newLine ?? lines.slice(0, from).filter((l) => l.op !== 'remove').length;
    out += `@@ -${firstOld},${oldCount} +${firstNew},${newCount} @@\n`;
    for (const l of hunk) out += `${l.op === 'equal' ? ' ' : l.op === 'add' ? '+' : '-'}${l.text}\n`;
  }
  return out;
}
