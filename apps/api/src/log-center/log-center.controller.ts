import { Controller, Delete, Get, Param, Put } from '@nestjs/common';
import type { ChangeContext } from '@paddock/platform';
import type { z } from 'zod';
import { ApiRoute } from '../http/api-route.js';
import { Change } from '../http/request-context.js';
import { ZodBody, ZodQuery } from '../http/zod-pipe.js';
import { GroupBody, PinBody, ReasonQuery, TopicBody } from './log-center.dto.js';
import { LogCenterViews } from './log-center.views.js';

const withReason = (ctx: ChangeContext, reason: string | undefined): ChangeContext => (reason ? { ...ctx, reason } : ctx);

@Controller('api/log-center')
export class LogCenterController {
  constructor(private readonly logCenter: LogCenterViews) {}

  @Get('topics')
  @ApiRoute({ role: 'viewer', area: 'log-center' }, { summary: 'Topics (partitions, metadata)' })
  topics() {
    return this.logCenter.topics();
  }

  @Put('topics/:topic')
  @ApiRoute({ role: 'operator', area: 'log-center' }, { summary: 'Create or change a topic (CAS with expectedVersion; reason required)', body: TopicBody })
  setTopic(@Param('topic') topic: string, @ZodBody(TopicBody) b: z.infer<typeof TopicBody>, @Change() ctx: ChangeContext) {
    return this.logCenter.setTopic(topic, b, ctx);
  }

  @Delete('topics/:topic')
  @ApiRoute({ role: 'operator', area: 'log-center' }, { summary: 'Delete a topic and its pin (reason: query or X-Change-Reason)', query: ReasonQuery })
  deleteTopic(@Param('topic') topic: string, @ZodQuery(ReasonQuery) q: z.infer<typeof ReasonQuery>, @Change() ctx: ChangeContext) {
    return this.logCenter.deleteTopic(topic, withReason(ctx, q.reason));
  }

  @Get('groups')
  @ApiRoute({ role: 'viewer', area: 'log-center' }, { summary: 'Slave groups with live slaves and total capacity' })
  groups() {
    return this.logCenter.groups();
  }

  @Put('groups/:group')
  @ApiRoute({ role: 'operator', area: 'log-center' }, { summary: 'Create or change a slave group (reason required)', body: GroupBody })
  setGroup(@Param('group') group: string, @ZodBody(GroupBody) b: z.infer<typeof GroupBody>, @Change() ctx: ChangeContext) {
    return this.logCenter.setGroup(group, b, ctx);
  }

  @Delete('groups/:group')
  @ApiRoute({ role: 'operator', area: 'log-center' }, { summary: 'Delete a slave group (409 while topics are pinned to it or slaves are live in it; reason: query or X-Change-Reason)', query: ReasonQuery })
  deleteGroup(@Param('group') group: string, @ZodQuery(ReasonQuery) q: z.infer<typeof ReasonQuery>, @Change() ctx: ChangeContext) {
    return this.logCenter.deleteGroup(group, withReason(ctx, q.reason));
  }

  @Get('pins')
  @ApiRoute({ role: 'viewer', area: 'log-center' }, { summary: 'Operator pins (topic -> group)' })
  pins() {
    return this.logCenter.pins();
  }

  @Put('pins/:topic')
  @ApiRoute({ role: 'operator', area: 'log-center' }, { summary: 'Pin a topic to a group (reason required)', body: PinBody })
  pin(@Param('topic') topic: string, @ZodBody(PinBody) b: z.infer<typeof PinBody>, @Change() ctx: ChangeContext) {
    return this.logCenter.pin(topic, b.group, ctx);
  }

  @Delete('pins/:topic')
  @ApiRoute({ role: 'operator', area: 'log-center' }, { summary: 'Unpin a topic (reason: query or X-Change-Reason)', query: ReasonQuery })
  unpin(@Param('topic') topic: string, @ZodQuery(ReasonQuery) q: z.infer<typeof ReasonQuery>, @Change() ctx: ChangeContext) {
    return this.logCenter.unpin(topic, withReason(ctx, q.reason));
  }

  @Get('slaves')
  @ApiRoute({ role: 'viewer', area: 'log-center' }, { summary: 'Live slaves: capacity, actual assignment, offsets / rates' })
  slaves() {
    return this.logCenter.slaves();
  }

  @Get('status')
  @ApiRoute({ role: 'viewer', area: 'log-center' }, { summary: 'Desired vs actual assignment per topic, with the epoch / generation' })
  status() {
    return this.logCenter.status();
  }

  @Get('master')
  @ApiRoute({ role: 'viewer', area: 'log-center' }, { summary: 'Master epoch and election participants' })
  master() {
    return this.logCenter.master();
  }
}
