/**
 * Child processes for tests: captured output (in memory and in a log file), readiness probes
 * (TCP port, ZooKeeper four-letter words), and teardown that never leaves orphans.
 *
 * Orphan protection, in three layers:
 *  1. every child runs in its own process group (`detached`), and stop/kill signal the whole
 *     group, so `zkServer.sh -> java` or `zkCli.sh -> java` go down together;
 *  2. on Linux the child is started through `setpriv --pdeathsig KILL`, so it is SIGKILLed by the
 *     kernel if the Jest process dies (crash, SIGKILL, timeout of the CI job);
 *  3. when this module is loaded by a Jest test file it registers a root-level `afterAll` that
 *     SIGKILLs whatever that file left running. Root-level hooks run after the hooks of nested
 *     `describe` blocks, so put your own teardown (closing clients, then `stop()`) in a `describe`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, type WriteStream } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  /** Short name used in log file names and error messages. */
  name: string;
  command: string;
  args?: readonly string[];
  cwd?: string;
  /** Merged over process.env. A value of `undefined` removes the variable. */
  env?: Record<string, string | undefined>;
  /** 'pipe' to feed the process with write()/endInput(). Default 'ignore'. */
  stdin?: 'ignore' | 'pipe';
  /**
   * Run through `sh -c 'exec "$@" 2>&1'` so stdout and stderr share one pipe and keep their
   * relative order (needed to parse interactive tools such as zkCli.sh). Default false.
   */
  mergeStderr?: boolean;
  /** Directory for the log file. Default: $PADDOCK_TEST_LOG_DIR or <tmp>/paddock-test-logs. */
  logDir?: string;
  /** SIGKILL the child when this process dies (Linux `setpriv --pdeathsig`). Default true. */
  dieWithParent?: boolean;
}

/** How much output is kept in memory per process (the log file has everything). */
const MAX_RETAINED_CHARS = 4 * 1024 * 1024;
const SETPRIV = '/usr/bin/setpriv';

const live = new Set<ManagedProcess>();

export function defaultLogDir(): string {
  return process.env.PADDOCK_TEST_LOG_DIR ?? path.join(os.tmpdir(), 'paddock-test-logs');
}

class OutputBuffer {
  private text = '';
  /** Number of characters dropped from the head because of MAX_RETAINED_CHARS. */
  private dropped = 0;

  append(chunk: string): void {
    this.text += chunk;
    if (this.text.length > MAX_RETAINED_CHARS) {
      const cut = this.text.length - MAX_RETAINED_CHARS;
      this.text = this.text.slice(cut);
      this.dropped += cut;
    }
  }

  /** Total characters ever appended: an offset usable with `since`. */
  get length(): number {
    return this.dropped + this.text.length;
  }

  since(offset: number): string {
    return this.text.slice(Math.max(0, offset - this.dropped));
  }

  all(): string {
    return this.text;
  }
}

export class ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly commandLine: string;
  /** Resolves (never rejects) when the process has exited and its pipes are drained. */
  readonly exited: Promise<ExitInfo>;

  private readonly child: ChildProcess;
  private readonly combined = new OutputBuffer();
  private readonly out = new OutputBuffer();
  private readonly err = new OutputBuffer();
  private readonly log: WriteStream;
  private exit: ExitInfo | undefined;
  private readonly outputListeners = new Set<() => void>();

  constructor(options: SpawnOptions) {
    this.name = options.name;
    const args = [...(options.args ?? [])];
    let command = options.command;
    let argv = args;
    if (options.mergeStderr) {
      argv = ['-c', 'exec "$0" "$@" 2>&1', command, ...argv];
      command = '/bin/sh';
    }
    if ((options.dieWithParent ?? true) && process.platform === 'linux' && existsSync(SETPRIV)) {
      argv = ['--pdeathsig', 'KILL', '--', command, ...argv];
      command = SETPRIV;
    }
    this.commandLine = [options.command, ...args].join(' ');

    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [key, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }

    this.child = spawn(command, argv, {
      cwd: options.cwd,
      env,
      detached: true,
      stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
    });
    if (this.child.pid === undefined) {
      // spawn failed synchronously (ENOENT is reported asynchronously through 'error' too)
      this.pid = -1;
    } else {
      this.pid = this.child.pid;
    }

    const logDir = options.logDir ?? defaultLogDir();
    mkdirSync(logDir, { recursive: true });
    const safeName = options.name.replace(/[^A-Za-z0-9_.-]+/g, '_');
    this.logFile = path.join(logDir, `${safeName}-${Date.now()}-${this.pid}.log`);
    this.log = createWriteStream(this.logFile);
    this.log.on('error', () => undefined);
    this.log.write(`$ ${this.commandLine}\n`);

    this.child.stdout?.setEncoding('utf8');
    this.child.stderr?.setEncoding('utf8');
    this.child.stdout?.on('data', (chunk: string) => this.onData(chunk, this.out));
    this.child.stderr?.on('data', (chunk: string) => this.onData(chunk, this.err));
    this.child.stdin?.on('error', () => undefined); // EPIPE after the child exited

    live.add(this);
    this.exited = new Promise<ExitInfo>((resolve) => {
      const done = (info: ExitInfo) => {
        if (this.exit) return;
        this.exit = info;
        live.delete(this);
        this.log.end(`\n[${this.name} exited: code=${info.code} signal=${info.signal}]\n`);
        for (const listener of this.outputListeners) listener();
        resolve(info);
      };
      this.child.once('close', (code, signal) => done({ code, signal }));
      this.child.once('error', (error) => {
        this.onData(`[spawn error] ${error.message}\n`, this.err);
        done({ code: null, signal: null });
      });
    });
  }

  private onData(chunk: string, stream: OutputBuffer): void {
    stream.append(chunk);
    this.combined.append(chunk);
    this.log.write(chunk);
    for (const listener of this.outputListeners) listener();
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  get exitInfo(): ExitInfo | undefined {
    return this.exit;
  }

  /** stdout and stderr as they arrived (exact order only with mergeStderr). */
  output(): string {
    return this.combined.all();
  }

  stdout(): string {
    return this.out.all();
  }

  stderr(): string {
    return this.err.all();
  }

  /** Current length of the combined output; pass it as `since` to wait for newer output only. */
  get outputOffset(): number {
    return this.combined.length;
  }

  outputSince(offset: number): string {
    return this.combined.since(offset);
  }

  tail(chars = 4000): string {
    const text = this.combined.all();
    return text.length > chars ? `...${text.slice(-chars)}` : text;
  }

  /** Human-readable context for assertion messages. */
  describe(chars = 4000): string {
    const state = this.exit ? `exited code=${this.exit.code} signal=${this.exit.signal}` : 'running';
    return `[${this.name} pid=${this.pid} ${state}; log ${this.logFile}]\n${this.tail(chars)}`;
  }

  write(text: string): void {
    if (!this.child.stdin) throw new Error(`${this.name}: spawned without stdin: 'pipe'`);
    this.child.stdin.write(text);
  }

  endInput(): void {
    this.child.stdin?.end();
  }

  /**
   * Waits until the combined output written after `since` matches `pattern`; rejects when the
   * process exits first (unless the match is already there) or after `timeoutMs`.
   */
  waitForOutput(
    pattern: string | RegExp,
    { timeoutMs = 10_000, since = 0 }: { timeoutMs?: number; since?: number } = {},
  ): Promise<RegExpMatchArray> {
    const regex =
      typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : pattern;
    return new Promise((resolve, reject) => {
      const finish = (error: Error | undefined, match?: RegExpMatchArray) => {
        this.outputListeners.delete(check);
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(match as RegExpMatchArray);
      };
      const check = () => {
        const match = this.outputSince(since).match(regex);
        if (match) finish(undefined, match);
        else if (this.exit)
          finish(new Error(`${this.name} exited before printing ${regex}\n${this.describe()}`));
      };
      const timer = setTimeout(
        () => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${regex} from ${this.describe()}`)),
        timeoutMs,
      );
      this.outputListeners.add(check);
      check();
    });
  }

  /** Sends a signal to the whole process group. No-op once exited. */
  signal(signal: NodeJS.Signals): void {
    if (this.exit || this.pid <= 0) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      try {
        this.child.kill(signal);
      } catch {
        // already gone
      }
    }
  }

  /** SIGKILL the process group and wait for the exit. */
  async kill(): Promise<ExitInfo> {
    this.signal('SIGKILL');
    return this.exited;
  }

  /** SIGTERM (or `signal`), then SIGKILL after `timeoutMs`. */
  async stop({ signal = 'SIGTERM', timeoutMs = 5_000 }: { signal?: NodeJS.Signals; timeoutMs?: number } = {}): Promise<ExitInfo> {
    if (this.exit) return this.exit;
    this.signal(signal);
    const timer = setTimeout(() => this.signal('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
      // the group may still hold grandchildren that ignored the signal
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        // group is empty
      }
    }
  }
}

export function spawnManaged(options: SpawnOptions): ManagedProcess {
  return new ManagedProcess(options);
}

export interface RunResult extends ExitInfo {
  stdout: string;
  stderr: string;
  output: string;
  durationMs: number;
  timedOut: boolean;
  process: ManagedProcess;
}

/** Runs a command to completion with a hard timeout (SIGKILL of the group on expiry). */
export async function runCommand(options: SpawnOptions & { timeoutMs?: number; input?: string }): Promise<RunResult> {
  const started = Date.now();
  const child = spawnManaged({ ...options, stdin: options.input === undefined ? options.stdin : 'pipe' });
  if (options.input !== undefined) {
    child.write(options.input);
    child.endInput();
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.signal('SIGKILL');
  }, options.timeoutMs ?? 60_000);
  try {
    const exit = await child.exited;
    return {
      ...exit,
      stdout: child.stdout(),
      stderr: child.stderr(),
      output: child.output(),
      durationMs: Date.now() - started,
      timedOut,
      process: child,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** SIGKILLs every process spawned by this module (in this module registry) that still runs. */
export async function killAllManaged(): Promise<void> {
  await Promise.all([...live].map((child) => child.kill()));
}

export function liveProcesses(): readonly ManagedProcess[] {
  return [...live];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Thrown by a waitFor probe to give up at once (e.g. the process being waited for has exited). */
export class FatalProbeError extends Error {}

/** Polls `probe` until it returns a non-undefined value, with a bounded total time. */
export async function waitFor<T>(
  description: string,
  probe: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 10_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof FatalProbeError) throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const suffix = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}${suffix}`);
    }
    await sleep(intervalMs);
  }
}

/** Resolves when a TCP connection to host:port succeeds. */
export async function waitForPort(
  host: string,
  port: number,
  { timeoutMs = 15_000, process: owner }: { timeoutMs?: number; process?: ManagedProcess } = {},
): Promise<void> {
  await waitFor(
    `${host}:${port} to accept connections`,
    async () => {
      if (owner && !owner.running) throw new FatalProbeError(`${owner.name} exited\n${owner.describe()}`);
      return (await canConnect(host, port)) ? true : undefined;
    },
    { timeoutMs, intervalMs: 50 },
  ).catch((error: unknown) => {
    throw decorate(error, owner);
  });
}

function decorate(error: unknown, owner: ManagedProcess | undefined): Error {
  const err = error instanceof Error ? error : new Error(String(error));
  if (owner && !err.message.includes(owner.logFile)) err.message += `\n${owner.describe()}`;
  return err;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(1_000);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/**
 * Sends a ZooKeeper four-letter word (ruok, srvr, stat, mntr, cons, dump, wchs...) and returns the
 * whole answer (the server closes the connection after answering).
 */
export function fourLetterWord(host: string, port: number, word: string, timeoutMs = 3_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host, port }, () => socket.write(word));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${word} to ${host}:${port}: no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** Resolves when the server answers `ruok` with `imok`; fails fast if `process` exits. */
export async function waitForRuok(
  host: string,
  port: number,
  { timeoutMs = 20_000, process: owner }: { timeoutMs?: number; process?: ManagedProcess } = {},
): Promise<void> {
  let last = '';
  await waitFor(
    `ruok -> imok from ${host}:${port}`,
    async () => {
      if (owner && !owner.running) throw new FatalProbeError(`${owner.name} exited\n${owner.describe()}`);
      try {
        last = await fourLetterWord(host, port, 'ruok', 1_000);
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
        return undefined;
      }
      return last.trim() === 'imok' ? true : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  ).catch((error: unknown) => {
    const err = decorate(error, owner);
    err.message += `\nlast answer: ${JSON.stringify(last)}`;
    throw err;
  });
}

/**
 * ZooKeeper answers `ruok` as soon as its listener is up, before it serves sessions; clients that
 * connect in that window are dropped and back off for seconds (the C client waits timeout/3).
 * Waits until `srvr` no longer says "not currently serving requests" (any other answer, even an
 * empty one from a server without `srvr`, counts as ready).
 */
export async function waitForServing(
  host: string,
  port: number,
  { timeoutMs = 20_000, process: owner }: { timeoutMs?: number; process?: ManagedProcess } = {},
): Promise<void> {
  let last = '';
  await waitFor(
    `${host}:${port} to serve requests`,
    async () => {
      if (owner && !owner.running) throw new FatalProbeError(`${owner.name} exited\n${owner.describe()}`);
      try {
        last = await fourLetterWord(host, port, 'srvr', 1_000);
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
        return undefined;
      }
      return /not currently serving/i.test(last) ? undefined : true;
    },
    { timeoutMs, intervalMs: 50 },
  ).catch((error: unknown) => {
    const err = decorate(error, owner);
    err.message += `\nlast answer: ${JSON.stringify(last)}`;
    throw err;
  });
}

// Safety net: when loaded by a Jest test file, kill whatever that file left running.
{
  const jestGlobals = globalThis as { afterAll?: (fn: () => Promise<void>, timeout?: number) => void };
  if (typeof jestGlobals.afterAll === 'function') {
    try {
      jestGlobals.afterAll(() => killAllManaged(), 30_000);
    } catch {
      // loaded lazily from inside a test: nothing to hook into
    }
  }
}
