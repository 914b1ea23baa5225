/**
 * Java's text formats, as they appear in ZooKeeper's four-letter-word output. Pure functions.
 */

/** `Long.toHexString`: two's-complement 64-bit, lower case, no leading zeros (`-1` -> `ffffffffffffffff`). */
export function javaLongHex(value: bigint | number): string {
  return BigInt.asUintN(64, BigInt(value)).toString(16);
}

/**
 * `Double.toString`: `0.0`, `4.0`, `0.1234`, `1.0E-4`, `1.2345E7`, `NaN`, `Infinity`.
 * Decimal notation for 1e-3 <= |d| < 1e7, otherwise computerized scientific notation; always at
 * least one digit after the point; shortest digits that round-trip (JDK 19+; older JDKs agree
 * for every value ZooKeeper prints here, which are rounded to 4 places).
 */
export function javaDoubleToString(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return 'Infinity';
  if (d === -Infinity) return '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const a = Math.abs(d);
  if (a >= 1e-3 && a < 1e7) {
    const s = String(d); // JS uses plain notation in this range
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mantissa, exponent] = d.toExponential().split('e') as [string, string];
  const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return `${m}E${exponent.startsWith('+') ? exponent.slice(1) : exponent}`;
}

/**
 * `new BigDecimal(x).setScale(scale, RoundingMode.HALF_UP).doubleValue()`: rounds the exact binary
 * value of `x` (not its shortest decimal form), halves away from zero. This is how
 * `AvgMinMaxCounter.getAvg()` rounds the average latency.
 */
export function roundHalfUp(x: number, scale: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const negative = x < 0;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biasedExponent = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  let exponent: number;
  if (biasedExponent === 0) {
    exponent = -1074;
  } else {
    mantissa |= 1n << 52n;
    exponent = biasedExponent - 1075;
  }
  // |x| = mantissa * 2^exponent exactly
  const pow10 = 10n ** BigInt(scale);
  let scaled: bigint;
  if (exponent >= 0) {
    scaled = mantissa * pow10 * (1n << BigInt(exponent));
  } else {
    const denominator = 1n << BigInt(-exponent);
    const numerator = mantissa * pow10;
    scaled = numerator / denominator;
    if (2n * (numerator % denominator) >= denominator) scaled += 1n;
  }
  const result = Number(scaled) / Number(pow10);
  return negative ? -result : result;
}

/** The average latency as `ServerStats` prints it: 4 decimals HALF_UP, then `Double.toString`. */
export function formatAvgLatency(avg: number): string {
  return javaDoubleToString(roundHalfUp(avg, 4));
}

/**
 * `InetSocketAddress.toString()` of an accepted socket (no host name): `/127.0.0.1:54321`,
 * `/[0:0:0:0:0:0:0:1]:54321` (JDK 14+ brackets IPv6). IPv4-mapped addresses print as IPv4, as a
 * Java dual-stack socket reports them.
 */
export function javaSocketAddress(address: string, port: number): string {
  return `/${javaHostAddress(address)}:${port}`;
}

function javaHostAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  return `[${expandIPv6(address)}]`;
}

/** `Inet6Address.getHostAddress()`: eight groups, no zero compression, lower case, `%scope` kept. */
export function expandIPv6(address: string): string {
  const pct = address.indexOf('%');
  const scope = pct >= 0 ? address.slice(pct) : '';
  let addr = pct >= 0 ? address.slice(0, pct) : address;
  // An embedded dotted IPv4 tail becomes two hex groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(addr);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    addr = `${addr.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = addr.includes('::') ? (addr.split('::') as [string, string]) : [addr, undefined];
  const headGroups = head === '' ? [] : head.split(':');
  let groups: string[];
  if (tail === undefined) {
    groups = headGroups;
  } else {
    const tailGroups = tail === '' ? [] : tail.split(':');
    const zeros = new Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0');
    groups = [...headGroups, ...zeros, ...tailGroups];
  }
  return groups.map((g) => parseInt(g, 16).toString(16)).join(':') + scope;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * `java.util.Date.toString()`: `EEE MMM dd HH:mm:ss zzz yyyy`, e.g. `Sun Nov 22 08:10:09 UTC 2026`.
 * Java uses the JVM's default zone; we take an IANA zone (default UTC). Zone abbreviations come
 * from Intl (`UTC`, `PST`, or `GMT+2` where Java would say `CEST`).
 */
export function javaDateToString(epochMillis: number, timeZone = 'UTC'): string {
  let fmt = dateFormats.get(timeZone);
  if (fmt === undefined) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      month: 'short',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      year: 'numeric',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    dateFormats.set(timeZone, fmt);
  }
  const parts: Record<string, string> = {};
  for (const p of fmt.formatToParts(new Date(epochMillis))) parts[p.type] = p.value;
  return `${parts['weekday']} ${parts['month']} ${parts['day']} ${parts['hour']}:${parts['minute']}:${parts['second']} ${parts['timeZoneName']} ${parts['year']}`;
}
