/**
 * One watch per child of a directory, kept in step with its children list: how a master hears about changes a
 * children watch cannot show (a child's data, a grandchild), e.g. a task's state or a pin's group.
 */
export interface ClosableWatch {
  start(): Promise<void>;
  close(): void;
}

export class WatchPerChild<W extends ClosableWatch = ClosableWatch> {
  private readonly watches = new Map<string, W>();

  constructor(
    private readonly open: (child: string) => W,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Opens a watch for each new child and closes those of children that are gone. */
  update(children: Iterable<string>): void {
    const current = new Set(children);
    for (const [child, watch] of this.watches) {
      if (current.has(child)) continue;
      watch.close();
      this.watches.delete(child);
    }
    for (const child of current) {
      if (this.watches.has(child)) continue;
      const watch = this.open(child);
      this.watches.set(child, watch);
      void watch.start().catch(this.onError);
    }
  }

  get size(): number {
    return this.watches.size;
  }

  close(): void {
    for (const watch of this.watches.values()) watch.close();
    this.watches.clear();
  }
}
