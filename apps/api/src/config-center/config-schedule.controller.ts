import { Controller, Get, Param, Post } from '@nestjs/common';
import type { ChangeContext } from '@paddock/platform';
import type { z } from 'zod';
import { ApiRoute } from '../http/api-route.js';
import { Change } from '../http/request-context.js';
import { ZodBody, ZodQuery } from '../http/zod-pipe.js';
import { ScheduleBody, ScheduleCancelBody, ScheduleListQuery } from './config.dto.js';
import { ConfigScheduleViews } from './config-schedule.views.js';

const R = ':env/:app/:namespace';

@Controller('api/configs')
export class ConfigScheduleController {
  constructor(private readonly schedules: ConfigScheduleViews) {}

  @Get('scheduled')
  @ApiRoute({ role: 'viewer', area: 'config' }, { summary: 'Scheduled changes of every namespace, by time', query: ScheduleListQuery })
  listAll(@ZodQuery(ScheduleListQuery) q: z.infer<typeof ScheduleListQuery>) {
    return this.schedules.listAll(q.status);
  }

  @Get(`${R}/scheduled`)
  @ApiRoute({ role: 'viewer', area: 'config' }, { summary: "A namespace's scheduled changes, by time", query: ScheduleListQuery })
  list(@Param() p: { env: string; app: string; namespace: string }, @ZodQuery(ScheduleListQuery) q: z.infer<typeof ScheduleListQuery>) {
    return this.schedules.list(p, q.status);
  }

  @Post(`${R}/scheduled`)
  @ApiRoute({ role: 'operator', area: 'config' }, { summary: 'Schedule a publish, gray start or gray promote at a future time (content snapshotted now; reason required)', body: ScheduleBody, status: 201 })
  create(@Param() p: { env: string; app: string; namespace: string }, @ZodBody(ScheduleBody) b: z.infer<typeof ScheduleBody>, @Change() ctx: ChangeContext) {
    return this.schedules.create(p, b, ctx);
  }

  @Post(`${R}/scheduled/:id/cancel`)
  @ApiRoute({ role: 'operator', area: 'config' }, { summary: 'Cancel a pending scheduled change (reason required)', body: ScheduleCancelBody, status: 201 })
  cancel(@Param() p: { env: string; app: string; namespace: string; id: string }, @ZodBody(ScheduleCancelBody) _b: z.infer<typeof ScheduleCancelBody>, @Change() ctx: ChangeContext) {
    return this.schedules.cancel({ env: p.env, app: p.app, namespace: p.namespace }, p.id, ctx);
  }
}
