/** Degradation switches over REST and the `switches` socket topic: the domain types are already plain JSON. */
import type { SwitchScope, SwitchState } from '../switches/evaluate.js';
import type { SwitchSpec } from '../switches/switch-service.js';

export type { FallbackValue, JsonValue, SwitchMode, SwitchScope, SwitchState } from '../switches/evaluate.js';
export type { SwitchPlan, SwitchReceipt, SwitchSnapshot, SwitchSpec } from '../switches/switch-service.js';

/** SwitchPlanChange is one entry of a plan's preview (GET /api/switches/:env/plans/:name/preview): now vs planned. */
export interface SwitchPlanChange {
  id: string;
  scope: SwitchScope;
  current: SwitchState | null;
  planned: SwitchSpec;
}

export type SwitchScheduleStatus = 'pending' | 'executing' | 'executed' | 'cancelled' | 'failed';

/** ScheduledSwitchChange is a switch change scheduled for a time (the API's SwitchScheduler stores and runs it). */
export interface ScheduledSwitchChange {
  id: string;
  env: string;
  switchId: string;
  spec: SwitchSpec;
  /** ISO-8601. */
  at: string;
  status: SwitchScheduleStatus;
  createdBy: string;
  createdAt: string;
  reason: string;
  /** The switch version when the execution claimed the entry (0: no switch yet). */
  baseVersion?: number;
  claimedAt?: string;
  executedAt?: string;
  result?: { version: number };
  error?: string;
  cancelledBy?: string;
  cancelledAt?: string;
}
