/** zkCli's ACL text forms: AclParser ("scheme:id:perms,..."), ZKUtil.getPermString, and jute's Id.toString. */
import type { ACL } from '@paddock/client';

const READ = 1;
const WRITE = 2;
const CREATE = 4;
const DELETE = 8;
const ADMIN = 16;

export interface ParsedAcl {
  acl: ACL[];
  /** What AclParser prints to stderr for the parts it skips or does not understand, in order. */
  warnings: string[];
}

/**
 * AclParser.parse: comma-separated `scheme:id:perms`; the id is everything between the first and the last colon
 * (so `digest:user:hash:cdrwa` works). Malformed entries are skipped with a warning, unknown perm letters too.
 */
export function parseAcl(text: string): ParsedAcl {
  const acl: ACL[] = [];
  const warnings: string[] = [];
  for (const a of javaSplit(text, ',')) {
    const first = a.indexOf(':');
    const last = a.lastIndexOf(':');
    if (first === -1 || last === -1 || first === last) {
      warnings.push(`${a} does not have the form scheme:id:perm`);
      continue;
    }
    let perms = 0;
    for (const ch of a.slice(last + 1)) {
      switch (ch) {
        case 'r':
          perms |= READ;
          break;
        case 'w':
          perms |= WRITE;
          break;
        case 'c':
          perms |= CREATE;
          break;
        case 'd':
          perms |= DELETE;
          break;
        case 'a':
          perms |= ADMIN;
          break;
        default:
          warnings.push(`Unknown perm type: ${ch}`);
      }
    }
    acl.push({ id: { scheme: a.slice(0, first), id: a.slice(first + 1, last) }, perms });
  }
  return { acl, warnings };
}

/** ZKUtil.getPermString: the letters in the order c d r w a. */
export function permString(perms: number): string {
  let p = '';
  if (perms & CREATE) p += 'c';
  if (perms & DELETE) p += 'd';
  if (perms & READ) p += 'r';
  if (perms & WRITE) p += 'w';
  if (perms & ADMIN) p += 'a';
  return p;
}

/** jute's CSV form of a string (Utils.toCSVString): a leading quote, a few characters %-escaped. */
function csvString(s: string): string {
  let out = "'";
  for (const ch of s) {
    switch (ch) {
      case '\0':
        out += '%00';
        break;
      case '\n':
        out += '%0A';
        break;
      case '\r':
        out += '%0D';
        break;
      case ',':
        out += '%2C';
        break;
      case '}':
        out += '%7D';
        break;
      case '%':
        out += '%25';
        break;
      default:
        out += ch;
    }
  }
  return out;
}

/** `Id.toString()` (jute CsvOutputArchive): "'world,'anyone\n" — the newline is part of it. */
export function juteIdString(id: { scheme: string; id: string }): string {
  return `${csvString(id.scheme)},${csvString(id.id)}\n`;
}

/** One getAcl line pair as zkCli prints it: "'world,'anyone\n: cdrwa". */
export function formatAclEntry(entry: ACL): string {
  return `${juteIdString(entry.id)}: ${permString(entry.perms)}`;
}

/** Java's String.split(regex) for a literal one-character separator: trailing empty strings are dropped. */
export function javaSplit(text: string, separator: string): string[] {
  const parts = text.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  // "".split(",") is [""] in Java (no separator found, the input itself)
  return parts.length === 0 && !text.includes(separator) ? [text] : parts;
}
