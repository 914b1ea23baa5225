/**
 * VirtualClock is simulated time: an integer `now` and a queue of events run in (time, insertion) order.
 * Nothing advances it but `runUntil`/`step`, so a run is a pure function of its seed.
 */
export class VirtualClock {
  now = 0;
  private seq = 0;
  private heap: Array<{ at: number; seq: number; fn: () => void }> = [];

  /** Runs fn at time `at` (>= now). */
  at(at: number, fn: () => void): void {
    const ev = { at: Math.max(at, this.now), seq: this.seq++, fn };
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!VirtualClock.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  /** Runs fn after `delay` time units. */
  after(delay: number, fn: () => void): void {
    this.at(this.now + delay, fn);
  }

  get pending(): number {
    return this.heap.length;
  }

  /** Runs the next event, if any is due at or before `limit`; returns false otherwise. */
  step(limit = Infinity): boolean {
    const h = this.heap;
    if (h.length === 0 || h[0]!.at > limit) return false;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && VirtualClock.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && VirtualClock.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    this.now = top.at;
    top.fn();
    return true;
  }

  /** Runs every event due up to `time`, then sets now = time. */
  runUntil(time: number): void {
    while (this.step(time));
    if (time > this.now) this.now = time;
  }

  private static less(a: { at: number; seq: number }, b: { at: number; seq: number }): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
}
