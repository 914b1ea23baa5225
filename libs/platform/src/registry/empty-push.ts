/**
 * Empty-push protection (Nacos `namingPushEmptyProtection`, extended to sharp shrinks): a new provider list
 * that is empty, or that has fewer than (1 - `maxDropRatio`) x the entries of the last applied list (by count,
 * so a fleet restarting under new URLs is not a drop), is not applied; the last good
 * list stays in use and the guard reports that it is protecting (with the refused list) until:
 *
 * - a later push is acceptable again (e.g. the providers came back), or
 * - `acceptShrinkAfterMs` passed with the shrunken (non-empty) list still current (optional; off by default),
 * - or someone calls `acceptPending()` (an operator confirmed the shrink).
 *
 * An empty list is never accepted automatically unless `allowEmpty` is set. The first push is always applied
 * (there is nothing to protect yet).
 */
export interface EmptyPushOptions {
  /** Refuse a list that lost more than this fraction of the last applied one (0..1). Default 0.5. */
  maxDropRatio?: number;
  /** Apply empty lists. Default false. */
  allowEmpty?: boolean;
  /** Accept a refused non-empty shrink after it stayed current this long. Default: never by itself. */
  acceptShrinkAfterMs?: number;
}

export interface ProtectionReport<T> {
  reason: 'empty' | 'shrink';
  /** Entries of the last applied list. */
  lastGood: readonly T[];
  /** The refused list. */
  refused: readonly T[];
  /** How much smaller the refused list is than the last good one (0..1). */
  dropRatio: number;
  /** When protection started (ms). */
  since: number;
}

export interface OfferResult<T> {
  applied: boolean;
  /** The list to use now. */
  current: readonly T[];
  protection: ProtectionReport<T> | undefined;
}

export class EmptyPushGuard<T> {
  private readonly maxDropRatio: number;
  private readonly allowEmpty: boolean;
  private readonly acceptShrinkAfterMs: number | undefined;
  private lastGood: readonly T[] = [];
  private initialised = false;
  private pending: ProtectionReport<T> | undefined;

  constructor(
    private readonly idOf: (entry: T) => string,
    options: EmptyPushOptions = {},
  ) {
    const r = options.maxDropRatio ?? 0.5;
    if (!(r >= 0 && r <= 1)) throw new RangeError('maxDropRatio must be within [0, 1]');
    this.maxDropRatio = r;
    this.allowEmpty = options.allowEmpty ?? false;
    this.acceptShrinkAfterMs = options.acceptShrinkAfterMs;
  }

  get current(): readonly T[] {
    return this.lastGood;
  }

  /** The active protection, if a list is being refused. */
  get protection(): ProtectionReport<T> | undefined {
    return this.pending;
  }

  /** Offers a freshly read list. */
  offer(next: readonly T[], now = Date.now()): OfferResult<T> {
    if (!this.initialised) {
      this.initialised = true;
      return this.apply(next);
    }
    // by count: providers restarting under new URLs (new timestamp) replace entries without shrinking the list
    const prevSize = new Set(this.lastGood.map(this.idOf)).size;
    const nextSize = new Set(next.map(this.idOf)).size;
    const dropRatio = prevSize === 0 ? 0 : Math.max(0, prevSize - nextSize) / prevSize;
    const empty = nextSize === 0 && prevSize > 0;
    const refuse = empty ? !this.allowEmpty : prevSize > 0 && dropRatio > this.maxDropRatio;
    if (!refuse) return this.apply(next);
    const since = this.pending?.since ?? now;
    this.pending = { reason: empty ? 'empty' : 'shrink', lastGood: this.lastGood, refused: [...next], dropRatio, since };
    return this.tick(now);
  }

  /** Re-checks a pending shrink against `acceptShrinkAfterMs` (call from a timer). */
  tick(now = Date.now()): OfferResult<T> {
    const p = this.pending;
    if (p && p.reason === 'shrink' && this.acceptShrinkAfterMs !== undefined && now - p.since >= this.acceptShrinkAfterMs) {
      return this.apply(p.refused);
    }
    return { applied: false, current: this.lastGood, protection: p };
  }

  /** Applies the refused list (operator confirmation). */
  acceptPending(): OfferResult<T> {
    return this.pending ? this.apply(this.pending.refused) : { applied: false, current: this.lastGood, protection: undefined };
  }

  private apply(next: readonly T[]): OfferResult<T> {
    this.lastGood = [...next];
    this.pending = undefined;
    return { applied: true, current: this.lastGood, protection: undefined };
  }
}
