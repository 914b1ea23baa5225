import { describe, expect, it } from '@jest/globals';
import { WatchPerChild, type ClosableWatch } from './watch-per-child.js';

/** A watch that records what was done to it. */
class RecordingWatch implements ClosableWatch {
  started = 0;
  closed = 0;
  constructor(readonly child: string) {}
  async start(): Promise<void> {
    this.started++;
  }
  close(): void {
    this.closed++;
  }
}

describe('WatchPerChild', () => {
  it('opens one watch per new child, keeps the others, and closes those of removed children', () => {
    const opened: RecordingWatch[] = [];
    const perChild = new WatchPerChild<RecordingWatch>((child) => {
      const w = new RecordingWatch(child);
      opened.push(w);
      return w;
    }, () => undefined);

    perChild.update(['a', 'b']);
    perChild.update(['b', 'c', 'c']);
    expect(opened.map((w) => w.child)).toEqual(['a', 'b', 'c']);
    expect(opened.map((w) => [w.child, w.started, w.closed])).toEqual([['a', 1, 1], ['b', 1, 0], ['c', 1, 0]]);
    expect(perChild.size).toBe(2);

    perChild.close();
    expect(opened.map((w) => w.closed)).toEqual([1, 1, 1]);
    expect(perChild.size).toBe(0);
    // after close, a child seen again gets a fresh watch (a master elected again)
    perChild.update(['a']);
    expect(opened).toHaveLength(4);
  });

  it('reports a watch that fails to start', async () => {
    const errors: unknown[] = [];
    const perChild = new WatchPerChild(() => ({ start: () => Promise.reject(new Error('no session')), close: () => undefined }), (e) => errors.push(e));
    perChild.update(['x']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors.map((e) => (e as Error).message)).toEqual(['no session']);
  });
});
