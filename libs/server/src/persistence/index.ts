export { adler32, ADLER32_INIT } from './adler32.js';
export { CorruptLogError, CorruptSnapshotError, TxnLogFailedError } from './errors.js';
export {
  VERSION_DIR,
  LOG_PREFIX,
  SNAPSHOT_PREFIX,
  versionDir,
  makeFileName,
  zxidFromName,
  payloadZxid,
  zxidEpoch,
  consoleLogger,
  silentLogger,
  type PersistenceLogger,
  type ZxidFile,
} from './files.js';
export {
  TxnLog,
  truncateLogAfter,
  DEFAULT_PREALLOC_SIZE,
  DEFAULT_FSYNC_WARNING_THRESHOLD_MS,
  type TxnLogOptions,
  type FsyncStats,
  type DurableListener,
} from './txn-log.js';
export {
  SnapshotStore,
  verifySnapshot,
  type SnapshotStoreOptions,
  type LoadedSnapshot,
  type WrittenSnapshot,
  type SnapshotVerdict,
} from './snapshot-store.js';
export { recover, selectLogFiles, type RecoverOptions, type RecoveryResult } from './recovery.js';
export { purge, dirSize, dataDirSizes, MIN_SNAP_RETAIN_COUNT, type PurgeOptions, type PurgeResult } from './purge.js';
export {
  writeEpochFile,
  readEpochFile,
  writeFileAtomic,
  CURRENT_EPOCH_FILE,
  ACCEPTED_EPOCH_FILE,
} from './epoch-file.js';
