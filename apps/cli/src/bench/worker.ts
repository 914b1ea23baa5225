/**
 * A load-generator process of `paddock bench`, started by the parent (pool.ts) with an IPC
 * channel. It holds C sessions and drives them with O outstanding requests each, recording
 * latencies into a mergeable histogram; the parent aggregates the processes' results.
 * It exits when the parent goes away (IPC disconnect; the kernel SIGKILLs it too via pdeathsig).
 */
import { connectorFor, type BenchClient, type Connector } from './clients.js';
import type {
  AwaitEventsResult,
  ChurnCommand,
  FireResult,
  OpenCommand,
  OpsCommand,
  OpsResult,
  PathsCommand,
  SteadyRecoveryResult,
  SteadyStartCommand,
  WorkerReply,
  WorkerRequest,
} from './protocol.js';
import { Histogram, nowMs } from './stats.js';

const CONNECT_TIMEOUT_MS = 30_000;

let sessions: BenchClient[] = [];
const connectors = new Map<string, Connector>();

async function connector(library: 'c' | 'nzc'): Promise<Connector> {
  let found = connectors.get(library);
  if (!found) {
    found = await connectorFor(library);
    connectors.set(library, found);
  }
  return found;
}

function closeAll(): void {
  steady?.abandon();
  for (const session of sessions) {
    try {
      session.close();
    } catch {
      // already closed
    }
  }
  sessions = [];
}

async function open(command: OpenCommand): Promise<number> {
  closeAll();
  const connect = await connector(command.client);
  // connect in small batches: hundreds of simultaneous handshakes only measure the accept queue
  const batch = 50;
  for (let i = 0; i < command.sessions; i += batch) {
    const n = Math.min(batch, command.sessions - i);
    const connectString = (k: number) => command.connects?.[k % command.connects.length] ?? command.connect;
    const opened = await Promise.allSettled(
      Array.from({ length: n }, (_, j) => connect(connectString(i + j), command.sessionTimeoutMs, CONNECT_TIMEOUT_MS)),
    );
    for (const result of opened) {
      if (result.status === 'fulfilled') sessions.push(result.value);
    }
    const failed = opened.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) {
      closeAll();
      throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    }
  }
  return sessions.length;
}

function ops(command: OpsCommand): Promise<OpsResult> {
  if (sessions.length === 0) return Promise.reject(new Error('no open sessions'));
  const value = Buffer.alloc(command.valueSize, 0x61);
  const histogram = new Histogram();
  const deadline = performance.now() + command.durationMs;
  const { op, root, firstIndex, keySpace, count, readFraction } = command;
  const key = (index: number) => `${root}/n${index}`;
  const randomKey = () => key(Math.floor(Math.random() * keySpace));

  return new Promise<OpsResult>((resolve) => {
    let issued = 0;
    let completed = 0;
    let errors = 0;
    let firstError: string | undefined;
    let inFlight = 0;
    let endMs = 0;
    const startMs = nowMs();

    const finishIfIdle = () => {
      if (inFlight === 0) {
        endMs = endMs || nowMs();
        const result: OpsResult = { ops: completed, errors, startMs, endMs, histogram: histogram.toJSON() };
        if (firstError !== undefined) result.firstError = firstError;
        resolve(result);
      }
    };

    const issue = (session: BenchClient): void => {
      if (issued >= count || performance.now() > deadline) {
        finishIfIdle();
        return;
      }
      const index = issued++;
      inFlight++;
      const t0 = performance.now();
      const done = (rc: number) => {
        const t1 = performance.now();
        inFlight--;
        if (rc === 0) {
          completed++;
          if (command.measure) histogram.record((t1 - t0) * 1000);
        } else {
          errors++;
          firstError ??= `${op} rc=${rc}`;
        }
        endMs = nowMs();
        issue(session);
      };
      switch (op) {
        case 'create':
          session.create(key(firstIndex + index), value, false, done);
          break;
        case 'createEphemeralSequential':
          session.create(`${root}/e-`, value, true, done);
          break;
        case 'delete':
          session.delete(key(firstIndex + index), done);
          break;
        case 'setData':
          session.setData(randomKey(), value, done);
          break;
        case 'getData':
          session.getData(randomKey(), done);
          break;
        case 'exists':
          session.exists(randomKey(), done);
          break;
        case 'getChildren':
          session.getChildren(root, done);
          break;
        case 'mixed':
          if (Math.random() < readFraction) session.getData(randomKey(), done);
          else session.setData(randomKey(), value, done);
          break;
      }
    };

    for (let k = 0; k < command.outstanding; k++) for (const session of sessions) issue(session);
    finishIfIdle();
  });
}

// --- watch fan-out -------------------------------------------------------------------------

let armed = 0;
let notified = 0;
let lastNotificationMs = 0;
let onNotified: (() => void) | undefined;

async function arm(path: string): Promise<number> {
  armed = sessions.length;
  notified = 0;
  lastNotificationMs = 0;
  await Promise.all(
    sessions.map(
      (session) =>
        new Promise<void>((resolve, reject) =>
          session.watchData(
            path,
            () => {
              notified++;
              lastNotificationMs = nowMs();
              if (notified >= armed) onNotified?.();
            },
            (rc) => (rc === 0 ? resolve() : reject(new Error(`watch ${path}: rc=${rc}`))),
          ),
        ),
    ),
  );
  return armed;
}

function awaitEvents(timeoutMs: number): Promise<AwaitEventsResult> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      onNotified = undefined;
      resolve({ events: notified, lastMs: lastNotificationMs });
    };
    const timer = setTimeout(() => {
      onNotified = undefined;
      reject(new Error(`only ${notified} of ${armed} watchers notified within ${timeoutMs} ms`));
    }, timeoutMs);
    onNotified = done;
    if (notified >= armed) done();
  });
}

function fire(path: string, valueSize: number): Promise<FireResult> {
  const session = sessions[0];
  if (!session) return Promise.reject(new Error('no open sessions'));
  return new Promise((resolve, reject) => {
    const firedMs = nowMs();
    session.setData(path, Buffer.alloc(valueSize, 0x62), (rc) =>
      rc === 0 ? resolve({ firedMs }) : reject(new Error(`setData ${path}: rc=${rc}`)),
    );
  });
}

// --- session churn -------------------------------------------------------------------------

async function churn(command: ChurnCommand): Promise<OpsResult> {
  const connect = await connector(command.client);
  const histogram = new Histogram();
  const deadline = performance.now() + command.durationMs;
  let issued = 0;
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;
  const startMs = nowMs();
  const lane = async () => {
    while (issued < command.count && performance.now() <= deadline) {
      issued++;
      const t0 = performance.now();
      try {
        const session = await connect(command.connect, command.sessionTimeoutMs, CONNECT_TIMEOUT_MS);
        session.close();
        histogram.record((performance.now() - t0) * 1000);
        completed++;
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: command.concurrency }, lane));
  const result: OpsResult = { ops: completed, errors, startMs, endMs: nowMs(), histogram: histogram.toJSON() };
  if (firstError !== undefined) result.firstError = firstError;
  return result;
}

// --- steady writes (failover) ----------------------------------------------------------------

interface SteadyWrites {
  stop(): Promise<OpsResult>;
  /** Stops issuing without waiting (the sessions are being closed). */
  abandon(): void;
  recovery(sinceMs: number): SteadyRecoveryResult;
}

let steady: SteadyWrites | undefined;

/** Steady setData traffic until steadyStop; every success is kept as (issued, completed) for recovery queries. */
function steadyStart(command: SteadyStartCommand): number {
  if (steady) throw new Error('steady writes already running');
  if (sessions.length === 0) throw new Error('no open sessions');
  const value = Buffer.alloc(command.valueSize, 0x63);
  const histogram = new Histogram();
  // successes in completion order: issue and completion times (absolute ms)
  const issuedAt: number[] = [];
  const completedAt: number[] = [];
  let inFlight = 0;
  let errors = 0;
  let firstError: string | undefined;
  let stopping = false;
  let onIdle: (() => void) | undefined;
  const startMs = nowMs();
  const issue = (session: BenchClient): void => {
    if (stopping) {
      if (inFlight === 0) onIdle?.();
      return;
    }
    inFlight++;
    const t0 = nowMs();
    session.setData(`${command.root}/n${Math.floor(Math.random() * command.keySpace)}`, value, (rc) => {
      const t1 = nowMs();
      inFlight--;
      if (rc === 0) {
        issuedAt.push(t0);
        completedAt.push(t1);
        histogram.record((t1 - t0) * 1000);
        issue(session);
      } else {
        errors++;
        firstError ??= `setData rc=${rc}`;
        setTimeout(() => issue(session), command.errorBackoffMs);
      }
    });
  };
  for (let k = 0; k < command.outstanding; k++) for (const session of sessions) issue(session);
  steady = {
    abandon() {
      stopping = true;
      steady = undefined;
    },
    recovery(sinceMs) {
      let firstSuccessMs: number | null = null;
      // completion order: the first success issued at or after sinceMs completed first
      for (let i = completedAt.length - 1; i >= 0 && completedAt[i]! >= sinceMs; i--) {
        if (issuedAt[i]! >= sinceMs) firstSuccessMs = completedAt[i]!;
      }
      return { firstSuccessMs, ops: completedAt.length, errors };
    },
    async stop() {
      stopping = true;
      // writes queued in a disconnected client may wait for a reconnect: do not wait for them forever
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 10_000);
        onIdle = () => {
          clearTimeout(timer);
          resolve();
        };
        if (inFlight === 0) onIdle();
      });
      steady = undefined;
      const result: OpsResult = { ops: completedAt.length, errors, startMs, endMs: completedAt.at(-1) ?? nowMs(), histogram: histogram.toJSON() };
      if (firstError !== undefined) result.firstError = firstError;
      return result;
    },
  };
  return sessions.length * command.outstanding;
}

// --- setup ---------------------------------------------------------------------------------

const ZNONODE = -101;
const ZNODEEXISTS = -110;

async function paths(command: PathsCommand): Promise<number> {
  const session = sessions[0];
  if (!session) throw new Error('no open sessions');
  const value = Buffer.alloc(command.valueSize, 0x61);
  for (const path of command.paths) {
    const rc = await new Promise<number>((resolve) =>
      command.cmd === 'createPaths' ? session.create(path, value, false, resolve) : session.delete(path, resolve),
    );
    if (rc !== 0 && rc !== (command.cmd === 'createPaths' ? ZNODEEXISTS : ZNONODE)) throw new Error(`${command.cmd} ${path}: rc=${rc}`);
  }
  return command.paths.length;
}

// --- IPC -----------------------------------------------------------------------------------

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.cmd) {
    case 'open':
      return open(request);
    case 'ops':
      return ops(request);
    case 'arm':
      return arm(request.path);
    case 'awaitEvents':
      return awaitEvents(request.timeoutMs);
    case 'fire':
      return fire(request.path, request.valueSize);
    case 'churn':
      return churn(request);
    case 'createPaths':
    case 'deletePaths':
      return paths(request);
    case 'steadyStart':
      return steadyStart(request);
    case 'steadyRecovery':
      if (!steady) throw new Error('no steady writes running');
      return steady.recovery(request.sinceMs);
    case 'steadyStop':
      if (!steady) throw new Error('no steady writes running');
      return steady.stop();
    case 'close':
      closeAll();
      // let the close requests leave before the parent moves on
      await new Promise((resolve) => setTimeout(resolve, 50));
      return true;
  }
}

function reply(message: WorkerReply): void {
  process.send?.(message);
}

process.on('message', (request: WorkerRequest) => {
  handle(request).then(
    (result) => reply({ id: request.id, ok: true, result }),
    (error: unknown) => reply({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('disconnect', () => {
  closeAll();
  process.exit(0);
});
process.send?.({ id: 0, ok: true, result: 'ready' } satisfies WorkerReply);
