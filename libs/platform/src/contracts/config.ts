/** The config center over REST: the domain types are already plain JSON. */
import type { ConfigRef, ConfigDraft, ConfigRelease, GrayView } from '../config/config-service.js';
import type { JsonSchema } from '../config/schema.js';

export type { ConfigDraft, ConfigFormat, ConfigRef, ConfigRelease, GrayRelease, GrayView, ListenerReceipt } from '../config/config-service.js';
export type { DiffLine, DiffResult } from '../config/diff.js';
export type { GrayRules } from '../config/gray-rules.js';
export type { JsonSchema } from '../config/schema.js';
export type { ScheduledAction, ScheduledChange as ScheduledConfigChange, ScheduleStatus as ConfigScheduleStatus } from '../config/config-schedule.js';

/** ConfigListener is a client's receipt with what it holds: the active gray, the live release, or an older one. */
export type ConfigListener = GrayView['listeners'][number];

/** ConfigNamespaceView is GET /api/configs/:env/:app/:namespace: the live release, the draft and the schema. */
export interface ConfigNamespaceView extends ConfigRef {
  live: ConfigRelease | null;
  draft: ConfigDraft | null;
  schema: JsonSchema | null;
}
