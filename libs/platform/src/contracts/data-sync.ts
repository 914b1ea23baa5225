/** Data-sync over REST and the `data-sync` socket topic. */
import type { SyncAttemptRecord, SyncTaskProgress, SyncTaskSpec, SyncTaskState, SyncWorkerStatus } from '../data-sync/data-sync.js';

export type { SyncAttemptRecord, SyncTaskProgress, SyncTaskSpec, SyncTaskState, SyncTaskStatus, SyncWorkerKind, SyncWorkerStatus } from '../data-sync/data-sync.js';
export type { RetryPolicy } from '../data-sync/rules.js';

/** SyncTaskDetail is a task as the console shows it: spec, lifecycle state, attempt history (split out) and progress. */
export interface SyncTaskDetail {
  id: string;
  spec: SyncTaskSpec;
  state: Omit<SyncTaskState, 'history'>;
  stateVersion: number;
  progress: SyncTaskProgress | null;
  history: SyncAttemptRecord[];
}

/** DataSyncSnapshotView is the `data-sync` socket topic's payload: every task and the live workers. */
export interface DataSyncSnapshotView {
  tasks: SyncTaskDetail[];
  workers: SyncWorkerStatus[];
}
