/**
 * Shapes of the API's JSON answers, defined once in `@paddock/platform/contracts` (the API builds them there too).
 * Type-only: nothing of the platform's code reaches the browser bundle.
 */
import type { ConfigScheduleStatus, SwitchScheduleStatus } from '@paddock/platform/contracts';

export type {
  AuditRowView,
  ChildrenPage,
  ConfigDraft,
  ConfigListener,
  ConfigNamespaceView,
  ConfigRef,
  ConfigRelease,
  DataSyncSnapshotView,
  DiffResult,
  FallbackValue,
  GrayRelease,
  GrayRules,
  GrayView,
  JsonValue,
  LogCenterSnapshotView,
  LogCenterStatusView,
  MasterView,
  PinRecord,
  ProviderView,
  RegistryNodeView,
  Role,
  ScheduledConfigChange,
  ScheduledSwitchChange,
  ServiceView,
  SlaveGroupView,
  SlaveStatus,
  StatView,
  SwitchMode,
  SwitchPlan,
  SwitchPlanChange,
  SwitchReceipt,
  SwitchScope,
  SwitchSnapshot,
  SwitchSpec,
  SwitchState,
  SyncTaskDetail,
  SyncTaskStatus,
  SyncWorkerStatus,
  TokenInfo,
  TopicStatus,
  UserInfo,
  WebhookAttempt,
  WebhookDelivery,
  WebhookInfo,
  ZnodeData,
  ZombieScanView,
} from '@paddock/platform/contracts';

/** The status of a scheduled config or switch change (the switch scheduler adds `executing`). */
export type ScheduleStatus = ConfigScheduleStatus | SwitchScheduleStatus;
