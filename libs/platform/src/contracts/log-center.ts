/** The log-center over REST and the `log-center` socket topic. */
import type { LogCenterService, SlaveStatus, TopicStatus } from '../log-center/log-center.js';

export type { SlaveRef } from '../log-center/balancer.js';
export type { DesiredPlacement, GroupRecord, PartitionReport, PinRecord, SlaveStatus, TopicRecord, TopicStatus } from '../log-center/log-center.js';

/** SlaveGroupView is one entry of GET /api/log-center/groups: the group's record (null: only slaves name it) and load. */
export type SlaveGroupView = Awaited<ReturnType<LogCenterService['listGroups']>>[number];

/** MasterView is GET /api/log-center/master (and /api/data-sync/master): the fencing epoch and the latch's participants. */
export type MasterView = Awaited<ReturnType<LogCenterService['master']>>;

/** LogCenterStatusView is GET /api/log-center/status: desired vs actual per topic, under the desired assignment's epoch. */
export interface LogCenterStatusView {
  epoch: number | null;
  generation: number | null;
  masterId: string | null;
  updatedAt: string | null;
  inSync: boolean;
  topics: TopicStatus[];
}

/** LogCenterSnapshotView is the `log-center` socket topic's payload: the status plus the live slaves. */
export interface LogCenterSnapshotView extends LogCenterStatusView {
  slaves: SlaveStatus[];
}
