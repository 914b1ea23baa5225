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

export interface SwitchPlan {
  name: string;
  description?: string;
  switches: { scope: SwitchScope; mode: string; fallback?: Fallback }[];
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
