/** Log-center use cases over LogCenterService (validated names; reason required by the service's audit policy). */
import type { ChangeContext, LogCenterService } from '@paddock/platform';
import type { LogCenterSnapshotView, LogCenterStatusView } from '@paddock/platform/contracts';
import { AppError } from '../errors.js';
import { NameParam } from './log-center.dto.js';

function checkName(kind: string, value: string): string {
  if (!NameParam.safeParse(value).success) throw new AppError('invalid', `bad ${kind} name ${JSON.stringify(value)}`);
  return value;
}

export class LogCenterViews {
  constructor(readonly service: LogCenterService) {}

  async topics() {
    return { topics: await this.service.listTopics() };
  }

  setTopic(topic: string, b: { partitions: number; metadata?: Record<string, unknown> | undefined; expectedVersion?: number | undefined }, ctx: ChangeContext) {
    return this.service.setTopic(
      { name: checkName('topic', topic), partitions: b.partitions, ...(b.metadata ? { metadata: b.metadata } : {}) },
      ctx,
      b.expectedVersion !== undefined ? { expectedVersion: b.expectedVersion } : {},
    );
  }

  async deleteTopic(topic: string, ctx: ChangeContext) {
    const deleted = await this.service.deleteTopic(checkName('topic', topic), ctx);
    if (!deleted) throw new AppError('not-found', `no topic ${topic}`);
    return { deleted };
  }

  async groups() {
    return { groups: await this.service.listGroups() };
  }

  setGroup(group: string, b: { description?: string | undefined }, ctx: ChangeContext) {
    return this.service.setGroup(checkName('group', group), ctx, b.description !== undefined ? { description: b.description } : {});
  }

  /** 409 (LogCenterConflictError) while topics are pinned to it or slaves are live in it. */
  async deleteGroup(group: string, ctx: ChangeContext) {
    const deleted = await this.service.deleteGroup(checkName('group', group), ctx);
    if (!deleted) throw new AppError('not-found', `no group ${group}`);
    return { deleted };
  }

  async pins() {
    return { pins: await this.service.listPins() };
  }

  async pin(topic: string, group: string, ctx: ChangeContext) {
    checkName('topic', topic);
    if (!(await this.service.listTopics()).some((t) => t.name === topic)) throw new AppError('not-found', `no topic ${topic}`);
    return this.service.pin(topic, checkName('group', group), ctx);
  }

  async unpin(topic: string, ctx: ChangeContext) {
    const deleted = await this.service.unpin(checkName('topic', topic), ctx);
    if (!deleted) throw new AppError('not-found', `topic ${topic} is not pinned`);
    return { deleted };
  }

  async slaves() {
    return { slaves: await this.service.listSlaves() };
  }

  /** Desired vs actual per topic, with the desired assignment's epoch / generation. */
  async status(): Promise<LogCenterStatusView> {
    const [topics, desired] = await Promise.all([this.service.status(), this.service.getDesired()]);
    return {
      epoch: desired?.epoch ?? null,
      generation: desired?.generation ?? null,
      masterId: desired?.masterId ?? null,
      updatedAt: desired?.updatedAt ?? null,
      inSync: topics.every((t) => t.inSync),
      topics,
    };
  }

  master() {
    return this.service.master();
  }

  /** The socket.io snapshot / event payload. */
  async snapshot(): Promise<LogCenterSnapshotView> {
    const [status, slaves] = await Promise.all([this.status(), this.service.listSlaves()]);
    return { ...status, slaves };
  }
}
