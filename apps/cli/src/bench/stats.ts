/**
 * Latency histograms (log-bucketed, mergeable across worker processes, ~1% resolution) and the
 * small statistics the report needs.
 */

/** Bucket growth factor: values within a bucket differ by at most 1%. */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** Values are recorded in microseconds; anything below 1 µs lands in bucket 0. */

export type HistogramData = Record<string, number>;

export class Histogram {
  private readonly counts = new Map<number, number>();
  private total = 0;
  private max = 0;

  static bucketOf(micros: number): number {
    return micros <= 1 ? 0 : Math.floor(Math.log(micros) / LOG_GROWTH);
  }

  /** Records one value in microseconds. */
  record(micros: number): void {
    const bucket = Histogram.bucketOf(micros);
    this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + 1);
    this.total++;
    if (micros > this.max) this.max = micros;
  }

  get count(): number {
    return this.total;
  }

  toJSON(): HistogramData {
    const out: HistogramData = {};
    for (const [bucket, count] of this.counts) out[bucket] = count;
    out.max = this.max;
    return out;
  }

  merge(data: HistogramData): void {
    for (const [key, count] of Object.entries(data)) {
      if (key === 'max') {
        if (count > this.max) this.max = count;
        continue;
      }
      const bucket = Number(key);
      this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + count);
      this.total += count;
    }
  }

  /** The value (µs, bucket upper bound, capped at the max seen) below which `q` of the values fall. */
  quantile(q: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (const bucket of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(bucket) ?? 0;
      if (seen >= rank) return Math.min(bucket === 0 ? 1 : GROWTH ** (bucket + 1), this.max);
    }
    return this.max;
  }
}

export function median(values: readonly number[]): number | undefined {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return undefined;
  const mid = Math.floor(finite.length / 2);
  return finite.length % 2 === 1 ? finite[mid] : (finite[mid - 1]! + finite[mid]!) / 2;
}

/** Nearest-rank percentile of a small sample (e.g. fan-out repetitions). */
export function percentile(values: readonly number[], q: number): number | undefined {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes of one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
