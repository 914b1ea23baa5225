/** A progress bar on stderr (redrawn in place on a terminal, one line per step otherwise). */
export class Progress {
  private done = 0;
  private label = '';
  private readonly started = Date.now();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly tty: boolean;

  constructor(
    private readonly total: number,
    private readonly write: (text: string) => void = (text) => process.stderr.write(text),
    tty: boolean = process.stderr.isTTY === true,
  ) {
    this.tty = tty;
    if (this.tty) {
      this.timer = setInterval(() => this.draw(), 1_000);
      this.timer.unref();
    }
  }

  step(label: string): void {
    this.label = label;
    if (this.tty) this.draw();
    else this.write(`[${this.done + 1}/${this.total}] ${label} (${elapsed(Date.now() - this.started)} elapsed)\n`);
  }

  complete(): void {
    this.done++;
    if (this.tty) this.draw();
  }

  /** A message that should not be overwritten by the bar. */
  log(text: string): void {
    if (this.tty) this.write('\r\x1b[K');
    this.write(`${text}\n`);
    if (this.tty) this.draw();
  }

  finish(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.tty) this.write('\r\x1b[K');
  }

  private draw(): void {
    const width = 30;
    const filled = Math.round((this.done / Math.max(this.total, 1)) * width);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
    const text = `[${bar}] ${this.done}/${this.total} ${elapsed(Date.now() - this.started)} ${this.label}`;
    const columns = process.stderr.columns ?? 120;
    this.write(`\r\x1b[K${text.slice(0, columns - 1)}`);
  }
}

function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
