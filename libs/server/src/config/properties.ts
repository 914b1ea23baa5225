import { ConfigError } from './config-error.js';

/** One `key=value` entry of a properties file, with the line it starts on. */
export interface PropertyEntry {
  readonly key: string;
  readonly value: string;
  /** 1-based number of the physical line the (possibly continued) entry starts on. */
  readonly line: number;
}

/**
 * Reads text the way `java.util.Properties.load` does, because that is what ZooKeeper uses for
 * zoo.cfg, and then trims key and value as `QuorumPeerConfig.parseProperties` does:
 *
 * - lines end at `\n`, `\r` or `\r\n`; leading blanks (space, tab, form feed) are skipped;
 * - a line whose first non-blank character is `#` or `!` is a comment; a blank line is ignored;
 *   comments are whole-line only (`tickTime=2000 # ms` has the value `2000 # ms`);
 * - a line ending in an odd number of backslashes continues on the next line (whose leading
 *   blanks are dropped);
 * - the key ends at the first unescaped `=`, `:` or blank; blanks around the separator are
 *   skipped (`tickTime = 2000`, `tickTime:2000` and `tickTime 2000` are the same entry);
 * - escapes `\t \n \r \f \uXXXX` are decoded and any other `\x` stands for `x` (so a Windows
 *   path needs doubled backslashes, exactly as in ZooKeeper).
 *
 * Unlike `Properties`, repeated keys are all returned (in file order) so the caller can reject
 * them instead of silently keeping the last one.
 */
export function parseProperties(text: string, fileName: string): PropertyEntry[] {
  const lines = text.split(/\r\n|\r|\n/);
  const entries: PropertyEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const startLine = i + 1;
    let line = stripLeadingBlanks(lines[i]!);
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    // Join continuation lines.
    while (endsWithOddBackslashes(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + stripLeadingBlanks(lines[++i]!);
    }
    if (endsWithOddBackslashes(line)) line = line.slice(0, -1); // continuation at end of file
    const { rawKey, rawValue } = splitKeyValue(line);
    const key = javaTrim(unescape(rawKey, fileName, startLine));
    const value = javaTrim(unescape(rawValue, fileName, startLine));
    entries.push({ key, value, line: startLine });
  }
  return entries;
}

function isBlank(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\f';
}

function stripLeadingBlanks(s: string): string {
  let i = 0;
  while (i < s.length && isBlank(s[i]!)) i++;
  return s.slice(i);
}

function endsWithOddBackslashes(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

function splitKeyValue(line: string): { rawKey: string; rawValue: string } {
  let keyEnd = line.length;
  let valueStart = line.length;
  let precedingBackslash = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (!precedingBackslash && (c === '=' || c === ':')) {
      keyEnd = i;
      valueStart = i + 1;
      break;
    }
    if (!precedingBackslash && isBlank(c)) {
      keyEnd = i;
      valueStart = i + 1;
      // Blanks, then optionally one '=' or ':' separator.
      while (valueStart < line.length && isBlank(line[valueStart]!)) valueStart++;
      if (valueStart < line.length && (line[valueStart] === '=' || line[valueStart] === ':')) valueStart++;
      break;
    }
    precedingBackslash = c === '\\' ? !precedingBackslash : false;
  }
  while (valueStart < line.length && isBlank(line[valueStart]!)) valueStart++;
  return { rawKey: line.slice(0, keyEnd), rawValue: line.slice(valueStart) };
}

function unescape(s: string, fileName: string, line: number): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = s[++i];
    if (n === undefined) break;
    switch (n) {
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        const hex = s.slice(i + 1, i + 5);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          throw new ConfigError(fileName, line, undefined, 'malformed \\uxxxx escape');
        }
        out += String.fromCharCode(parseInt(hex, 16));
        i += 4;
        break;
      }
      default: out += n;
    }
  }
  return out;
}

/** `String.trim()` in Java removes every character <= U+0020 at both ends. */
export function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 0x20) start++;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--;
  return s.slice(start, end);
}
