/** Shapes of the API's JSON answers (see /api/openapi.json). */
export interface Stat {
  czxid: string;
  mzxid: string;
  pzxid: string;
  ctime: string;
  mtime: string;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: string;
  dataLength: number;
  numChildren: number;
}

export interface ChildrenPage {
  path: string;
  stat: Stat;
  total: number;
  offset: number;
  limit: number;
  children: { name: string; path: string; stat: Stat | null }[];
}

export interface ZnodeData {
  path: string;
  format: string;
  data: unknown;
  stat: Stat;
}

export interface SwitchScope {
  service: string;
  method?: string;
  consumerApp?: string;
}

export type Fallback = { kind: 'null' } | { kind: 'value'; value: unknown } | { kind: 'empty'; of: 'array' | 'object' | 'string' } | { kind: 'throw'; message: string };

export interface SwitchState {
  id: string;
  scope: SwitchScope;
  mode: 'off' | 'force' | 'fail';
  fallback: Fallback;
  expiresAt?: number | null;
  version: number;
  updatedAt: string;
  updatedBy: string;
  reason?: string;
  description?: string;
  plan?: string;
}

export interface SwitchSnapshot {
  revision: number;
  switches: SwitchState[];
}

export interface PlanSwitch {
  scope: SwitchScope;
  mode: 'off' | 'force' | 'fail';
  fallback?: Fallback;
  expiresAt?: number | null;
  description?: string;
}

export interface SwitchPlan {
  name: string;
  description?: string;
  switches: PlanSwitch[];
  status: 'idle' | 'active';
  executedAt?: string;
  executedBy?: string;
}

export interface ConfigRelease {
  release: number;
  content: string;
  format: string;
  md5: string;
  publishedAt: string;
  publishedBy: string;
  comment?: string;
  rollbackOf?: number;
}

export interface ConfigDraft {
  content: string;
  format: string;
  baseRelease: number;
  author: string;
  updatedAt: string;
  comment?: string;
  version: number;
}

export interface DiffResult {
  lines: { op: 'equal' | 'add' | 'remove'; text: string; oldLine?: number; newLine?: number }[];
  added: number;
  removed: number;
  identical: boolean;
}

export interface AuditRow {
  seq: number;
  id: string;
  time: string;
  actor: string;
  source: string;
  reason?: string | null;
  type: string;
  path: string;
  before: unknown;
  after: unknown;
  details?: Record<string, unknown>;
  hash: string;
}

export interface Provider {
  id: string;
  url: string;
  effective: string;
  address: string;
  weight: number;
  disabled: boolean;
}

export interface RegistryNode {
  id: string;
  url: string;
  address: string;
  parameters: Record<string, string>;
  ephemeralOwner: string;
  ctime: string;
}

// ------------------------------------------------------------------------------------------- log-center

export interface SlaveRef {
  group: string;
  id: string;
}

export interface PartitionReport {
  offsets?: Record<string, number>;
  rate?: number;
  lag?: number;
}

export interface TopicStatus {
  topic: string;
  partitions: number;
  pin: string | null;
  desired: { group: string | null; slave: string | null; since: string } | null;
  actual: SlaveRef[];
  inSync: boolean;
  report?: PartitionReport;
}

export interface SlaveStatus {
  id: string;
  group: string;
  capacity: number;
  host?: string;
  startedAt: string;
  epoch: number;
  generation: number;
  topics: string[];
  reports: Record<string, PartitionReport>;
  reportedAt: string;
}

/** The `log-center` socket topic's payload, and GET /api/log-center/status plus slaves. */
export interface LogCenterSnapshot {
  epoch: number | null;
  generation: number | null;
  masterId: string | null;
  updatedAt: string | null;
  inSync: boolean;
  topics: TopicStatus[];
  slaves: SlaveStatus[];
}

export interface SlaveGroup {
  name: string;
  record: { name: string; description?: string; updatedAt: string; updatedBy: string } | null;
  slaves: number;
  capacity: number;
}

export interface PinRecord {
  topic: string;
  group: string;
  pinnedAt: string;
  pinnedBy: string;
  reason?: string;
}

export interface MasterInfo {
  epoch: number;
  masterId: string | null;
  since: string | null;
  participants: { id: string; isLeader: boolean }[];
}

// ------------------------------------------------------------------------------------------- data-sync

export type SyncTaskStatus = 'pending' | 'assigned' | 'running' | 'errored' | 'retry-wait' | 'succeeded' | 'failed' | 'cancelled';

export interface SyncTask {
  id: string;
  spec: {
    id: string;
    kind: 'collector' | 'store';
    source?: string;
    target?: string;
    payload?: unknown;
    weight: number;
    retry: { maxAttempts: number; baseDelayMs: number; factor: number; maxDelayMs: number };
    createdAt: string;
    createdBy: string;
  };
  state: {
    status: SyncTaskStatus;
    attempt: number;
    failures: number;
    worker: string | null;
    epoch: number;
    updatedAt: string;
    assignedAt?: string;
    nextAttemptAt?: number;
    lastError?: string;
    finishedAt?: string;
  };
  stateVersion: number;
  progress: { attempt: number; worker: string; percent?: number; records?: number; checkpoint?: unknown; updatedAt: string } | null;
  history: { attempt: number; worker: string; outcome: 'succeeded' | 'errored' | 'failover' | 'cancelled'; at: string; error?: string }[];
}

export interface SyncWorker {
  id: string;
  kind: 'collector' | 'store';
  capacity: number;
  running: string[];
  startedAt: string;
}

export interface DataSyncSnapshot {
  tasks: SyncTask[];
  workers: SyncWorker[];
}

/** GET /api/switches/:env/plans/:name/preview: per switch, its current state and what the plan sets. */
export interface PlanChange {
  id: string;
  scope: SwitchScope;
  current: SwitchState | null;
  planned: PlanSwitch;
}

// ------------------------------------------------------------------------------------------- users and API tokens

export interface UserInfo {
  id: string;
  username: string;
  role: 'viewer' | 'operator' | 'admin';
  disabled: boolean;
  createdAt: string;
}

export interface TokenInfo {
  id: string;
  name: string;
  userId: string;
  role: 'viewer' | 'operator' | 'admin';
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

// ------------------------------------------------------------------------------------------- config gray releases

/** Which clients a gray release selects: any listed criterion matches. */
export interface GrayRules {
  clientIds?: string[];
  ips?: string[];
  labels?: Record<string, string>;
  /** 0..100: a stable hash bucket of namespace + client id. */
  percentage?: number;
}

export interface GrayRelease {
  id: string;
  baseRelease: number;
  content: string;
  format: string;
  md5: string;
  rules: GrayRules;
  startedAt: string;
  startedBy: string;
  updatedAt: string;
  updatedBy: string;
  comment?: string;
  version: number;
}

export interface ConfigListener {
  clientId: string;
  release: number;
  md5: string;
  appliedAt: string;
  host?: string;
  pid?: number;
  gray?: string;
  ip?: string;
  labels?: Record<string, string>;
  holds: 'gray' | 'main' | 'stale';
}

/** GET /api/configs/:env/:app/:ns/gray */
export interface GrayView {
  live: number;
  gray: GrayRelease | null;
  listeners: ConfigListener[];
}

// ------------------------------------------------------------------------------------------- scheduled changes

export type ScheduleStatus = 'pending' | 'executing' | 'executed' | 'cancelled' | 'failed';

export interface ScheduledConfigChange {
  id: string;
  env: string;
  app: string;
  namespace: string;
  action: 'publish' | 'gray.start' | 'gray.promote';
  at: string;
  status: ScheduleStatus;
  createdBy: string;
  createdAt: string;
  reason: string;
  params: { content?: string; format?: string; comment?: string; expectedRelease?: number; force?: boolean; rules?: GrayRules; grayId?: string };
  executedAt?: string;
  result?: { release?: number; grayId?: string };
  error?: string;
  cancelledBy?: string;
  cancelledAt?: string;
}

export interface ScheduledSwitchChange {
  id: string;
  env: string;
  switchId: string;
  spec: { scope: SwitchScope; mode: 'off' | 'force' | 'fail'; fallback?: SwitchState['fallback']; expiresAt?: number | null; description?: string };
  at: string;
  status: ScheduleStatus;
  createdBy: string;
  createdAt: string;
  reason: string;
  executedAt?: string;
  result?: { version: number };
  error?: string;
  cancelledBy?: string;
  cancelledAt?: string;
}

// ------------------------------------------------------------------------------------------- webhooks

export interface WebhookInfo {
  id: string;
  name: string;
  url: string;
  events: string[];
  pathPrefixes: string[];
  enabled: boolean;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookAttempt {
  attempt: number;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  responseBody: string | null;
  startedAt: string;
}

export interface WebhookDelivery {
  id: string;
  webhookId: string;
  eventId: string | null;
  eventType: string;
  status: 'pending' | 'retrying' | 'delivered' | 'dead';
  attemptCount: number;
  maxAttempts: number;
  redeliveries: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  completedAt: string | null;
  createdAt: string;
  attempts: WebhookAttempt[];
}
