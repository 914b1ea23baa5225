/** Messages between the benchmark (parent) and its load-generator processes (worker.ts). */
import type { HistogramData } from './stats.js';

export type ClientLibrary = 'c' | 'nzc';

export type OpKind = 'create' | 'createEphemeralSequential' | 'setData' | 'getData' | 'exists' | 'getChildren' | 'delete' | 'mixed';

export interface OpenCommand {
  cmd: 'open';
  connect: string;
  client: ClientLibrary;
  sessions: number;
  sessionTimeoutMs: number;
  /** Ensemble members to spread the sessions over: session k connects to connects[k % length] only. */
  connects?: string[];
}

export interface OpsCommand {
  cmd: 'ops';
  op: OpKind;
  /** Parent znode of the keys (or the node itself for getChildren). */
  root: string;
  /** Keys are `${root}/n${index}`: create/delete use [firstIndex, firstIndex+count); reads pick at random in [0, keySpace). */
  firstIndex: number;
  keySpace: number;
  /** How many ops this worker issues at most. */
  count: number;
  /** Stop issuing after this long (ms). */
  durationMs: number;
  outstanding: number;
  valueSize: number;
  /** mixed: fraction of getData (the rest setData). */
  readFraction: number;
  /** Record latencies (false for unmeasured setup work). */
  measure: boolean;
}

export interface ArmCommand {
  cmd: 'arm';
  path: string;
}

export interface AwaitEventsCommand {
  cmd: 'awaitEvents';
  timeoutMs: number;
}

export interface FireCommand {
  cmd: 'fire';
  path: string;
  valueSize: number;
}

export interface ChurnCommand {
  cmd: 'churn';
  connect: string;
  client: ClientLibrary;
  concurrency: number;
  count: number;
  durationMs: number;
  sessionTimeoutMs: number;
}

/** Sequential creates (persistent, 100-byte value) or deletes on the first session; "already there" / "gone" is fine. */
export interface PathsCommand {
  cmd: 'createPaths' | 'deletePaths';
  paths: string[];
  valueSize: number;
}

/**
 * Starts steady setData traffic in the background on the open sessions (failover workload):
 * `outstanding` per session, random keys root/n0..n(keySpace-1); after a failed write the
 * session waits `errorBackoffMs` before the next, so a lost connection does not spin.
 */
export interface SteadyStartCommand {
  cmd: 'steadyStart';
  root: string;
  keySpace: number;
  outstanding: number;
  valueSize: number;
  errorBackoffMs: number;
}

/** Asks when the first write issued at or after `sinceMs` (absolute ms) succeeded. */
export interface SteadyRecoveryCommand {
  cmd: 'steadyRecovery';
  sinceMs: number;
}

export interface SteadyStopCommand {
  cmd: 'steadyStop';
}

export interface CloseCommand {
  cmd: 'close';
}

export type WorkerCommand = OpenCommand | OpsCommand | ArmCommand | AwaitEventsCommand | FireCommand | ChurnCommand | PathsCommand | SteadyStartCommand | SteadyRecoveryCommand | SteadyStopCommand | CloseCommand;

export interface OpsResult {
  ops: number;
  errors: number;
  firstError?: string;
  /** Absolute wall-clock times (ms, sub-ms resolution) of the first issue and the last completion. */
  startMs: number;
  endMs: number;
  histogram: HistogramData;
}

export interface AwaitEventsResult {
  events: number;
  /** Absolute time of the last session's notification. */
  lastMs: number;
}

export interface FireResult {
  /** Absolute time just before the setData was issued. */
  firedMs: number;
}

export interface SteadyRecoveryResult {
  /** Absolute completion time of the first success among writes issued at or after sinceMs, or null. */
  firstSuccessMs: number | null;
  ops: number;
  errors: number;
}

export type WorkerReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export type WorkerRequest = WorkerCommand & { id: number };
