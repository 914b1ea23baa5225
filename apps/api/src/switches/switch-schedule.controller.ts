import { Controller, Get, Param, Post } from '@nestjs/common';
import type { ChangeContext, SwitchSpec } from '@paddock/platform';
import type { z } from 'zod';
import { ApiRoute } from '../http/api-route.js';
import { Change } from '../http/request-context.js';
import { ZodBody, ZodQuery } from '../http/zod-pipe.js';
import { SwitchScheduleViews } from './switch-schedule.views.js';
import { ScheduleCancelBody, ScheduleListQuery, ScheduleSwitchBody } from './switches.dto.js';

@Controller('api/switches/:env/scheduled')
export class SwitchScheduleController {
  constructor(private readonly schedules: SwitchScheduleViews) {}

  @Get()
  @ApiRoute({ role: 'viewer', area: 'switches' }, { summary: "An env's scheduled switch changes, by time", query: ScheduleListQuery })
  list(@Param('env') env: string, @ZodQuery(ScheduleListQuery) q: z.infer<typeof ScheduleListQuery>) {
    return this.schedules.list(env, q.status);
  }

  @Post()
  @ApiRoute({ role: 'operator', area: 'switches' }, { summary: 'Set a switch at a future time (`at`: ISO-8601 or epoch ms; reason required)', body: ScheduleSwitchBody, status: 201 })
  create(@Param('env') env: string, @ZodBody(ScheduleSwitchBody) b: z.infer<typeof ScheduleSwitchBody>, @Change() ctx: ChangeContext) {
    return this.schedules.create(env, b as SwitchSpec & { at: string | number }, ctx);
  }

  @Post(':id/cancel')
  @ApiRoute({ role: 'operator', area: 'switches' }, { summary: 'Cancel a pending scheduled switch change (reason required)', body: ScheduleCancelBody, status: 201 })
  cancel(@Param('env') env: string, @Param('id') id: string, @ZodBody(ScheduleCancelBody) _b: z.infer<typeof ScheduleCancelBody>, @Change() ctx: ChangeContext) {
    return this.schedules.cancel(env, id, ctx);
  }
}
