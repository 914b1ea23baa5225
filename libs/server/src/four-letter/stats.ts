/**
 * Small counters with ZooKeeper's semantics, for the server to keep the numbers the four-letter
 * words print. Pure (no clock): callers pass measured values in.
 */
import { roundHalfUp } from './java-format.js';

/** `AvgMinMaxCounter`: min/max are 0 when empty; avg is rounded HALF_UP to 4 places. */
export class AvgMinMaxCounter {
  private total = 0;
  private count = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;

  add(value: number): void {
    this.total += value;
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  getAvg(): number {
    return this.count > 0 ? roundHalfUp(this.total / this.count, 4) : 0;
  }

  getMin(): number {
    return this.min === Number.POSITIVE_INFINITY ? 0 : this.min;
  }

  getMax(): number {
    return this.max === Number.NEGATIVE_INFINITY ? 0 : this.max;
  }

  getCount(): number {
    return this.count;
  }

  getTotal(): number {
    return this.total;
  }

  /** `resetMax()`: max becomes the current min. */
  resetMax(): void {
    this.max = this.getMin();
    if (this.count === 0) this.max = Number.NEGATIVE_INFINITY;
  }

  reset(): void {
    this.total = 0;
    this.count = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
  }
}

/** `BufferStats`: last/min/max sizes, -1 until the first value. Prints as `last/min/max`. */
export class BufferStats {
  last = -1;
  min = -1;
  max = -1;

  setLastBufferSize(size: number): void {
    this.last = size;
    if (this.min === -1 || size < this.min) this.min = size;
    if (size > this.max) this.max = size;
  }

  reset(): void {
    this.last = -1;
    this.min = -1;
    this.max = -1;
  }

  toString(): string {
    return `${this.last}/${this.min}/${this.max}`;
  }
}
