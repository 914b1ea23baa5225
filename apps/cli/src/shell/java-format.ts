/**
 * Java's string forms, as zkCli.sh prints them: `new Date(ms).toString()` and `Long.toHexString`.
 */

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * `java.util.Date.toString()`: "EEE MMM dd HH:mm:ss zzz yyyy", e.g. "Thu Jan 01 00:00:00 UTC 1970", in the
 * given IANA time zone (default: the process's, i.e. $TZ or /etc/localtime, as the JVM uses). The zone name is
 * the en-US short name (Java prints "CET" where en-US has "GMT+1"; UTC and the US zones agree).
 */
export function javaDateString(ms: number, timeZone?: string): string {
  const date = new Date(ms);
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    weekday: 'short',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    hourCycle: 'h23',
    timeZoneName: 'short',
  });
  const parts = new Map<string, string>();
  for (const part of format.formatToParts(date)) parts.set(part.type, part.value);
  const num = (type: string): number => Number(parts.get(type) ?? '0');
  const weekday = parts.get('weekday') ?? WEEKDAYS[date.getUTCDay()]!;
  const month = MONTHS[num('month') - 1] ?? MONTHS[0];
  const hour = num('hour') % 24;
  const year = String(num('year')).padStart(4, '0');
  return `${weekday} ${month} ${pad2(num('day'))} ${pad2(hour)}:${pad2(num('minute'))}:${pad2(num('second'))} ${parts.get('timeZoneName') ?? 'UTC'} ${year}`;
}

/** `Long.toHexString`: lower case, no padding, two's complement for negative values. */
export function longToHex(value: number | bigint): string {
  const n = BigInt(value);
  return (n < 0n ? BigInt.asUintN(64, n) : n).toString(16);
}
