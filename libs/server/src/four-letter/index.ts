export {
  FOUR_LETTER_WORDS,
  ZOOKEEPER_FOUR_LETTER_WORDS,
  isFourLetterWord,
  resolveFourLetterWhitelist,
  type FourLetterWord,
} from './commands.js';
export {
  ZK_NOT_SERVING,
  runFourLetterWord,
  notInWhitelist,
  formatSrvr,
  formatStat,
  formatServerStats,
  formatConnection,
  formatCons,
  formatDump,
  formatConf,
  formatEnvi,
  formatMntr,
  formatMetricValue,
  formatMembership,
  formatQuorumServer,
  type FourLetterResult,
} from './format.js';
export type {
  FourLetterView,
  ServerMode,
  ServerStatsView,
  BufferStatsView,
  ConnectionStatsView,
  WatchSummaryView,
  SessionWatchesView,
  PathWatchesView,
  ExpiryBucketView,
  DumpConnectionView,
  DumpView,
  QuorumConfView,
  ConfView,
  DirsView,
  MetricValue,
  MonitorView,
} from './views.js';
export {
  javaLongHex,
  javaDoubleToString,
  roundHalfUp,
  formatAvgLatency,
  javaSocketAddress,
  expandIPv6,
  javaDateToString,
} from './java-format.js';
export { AvgMinMaxCounter, BufferStats } from './stats.js';
export { ZOOKEEPER_COMPAT_VERSION, paddockFullVersion, nodeEnvironment, heapFigures } from './environment.js';
