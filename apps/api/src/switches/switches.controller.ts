import { Controller, Delete, Get, Param, Post, Put } from '@nestjs/common';
import type { ChangeContext, SwitchSpec } from '@paddock/platform';
import type { z } from 'zod';
import { ApiRoute } from '../http/api-route.js';
import { Change } from '../http/request-context.js';
import { ZodBody } from '../http/zod-pipe.js';
import { ExecuteBody, PlanBody, ReasonBody, SetSwitchBody } from './switches.dto.js';
import { SwitchViews } from './switches.views.js';

@Controller('api/switches/:env')
export class SwitchesController {
  constructor(private readonly switches: SwitchViews) {}

  @Get()
  @ApiRoute({ role: 'viewer', area: 'switches' }, { summary: 'Every switch of an env, with the env revision' })
  list(@Param('env') env: string) {
    return this.switches.list(env);
  }

  @Put('items')
  @ApiRoute({ role: 'operator', area: 'switches' }, { summary: 'Create or change a switch (CAS with expectedVersion; expiresAt schedules the revert)', body: SetSwitchBody })
  set(@Param('env') env: string, @ZodBody(SetSwitchBody) b: z.infer<typeof SetSwitchBody>, @Change() ctx: ChangeContext) {
    return this.switches.set(env, b as SwitchSpec, ctx);
  }

  @Get('items/:id')
  @ApiRoute({ role: 'viewer', area: 'switches' }, { summary: 'One switch' })
  get(@Param('env') env: string, @Param('id') id: string) {
    return this.switches.get(env, id);
  }

  @Delete('items/:id')
  @ApiRoute({ role: 'operator', area: 'switches' }, { summary: 'Delete a switch' })
  remove(@Param('env') env: string, @Param('id') id: string, @Change() ctx: ChangeContext) {
    return this.switches.remove(env, id, ctx);
  }

  @Get('plans')
  @ApiRoute({ role: 'viewer', area: 'switches' }, { summary: 'Degradation plans' })
  plans(@Param('env') env: string) {
    return this.switches.plans(env);
  }

  @Put('plans/:name')
  @ApiRoute({ role: 'operator', area: 'switches' }, { summary: 'Create or change a plan', body: PlanBody })
  savePlan(@Param('env') env: string, @Param('name') name: string, @ZodBody(PlanBody) b: z.infer<typeof PlanBody>, @Change() ctx: ChangeContext) {
    return this.switches.savePlan(env, name, b as { switches: SwitchSpec[] }, ctx);
  }

  @Get('plans/:name/preview')
  @ApiRoute({ role: 'viewer', area: 'switches' }, { summary: 'What executing a plan would change' })
  preview(@Param('env') env: string, @Param('name') name: string) {
    return this.switches.previewPlan(env, name);
  }

  @Post('plans/:name/execute')
  @ApiRoute({ role: 'operator', area: 'switches' }, { summary: 'Flip every switch of the plan atomically', body: ExecuteBody, status: 201 })
  execute(@Param('env') env: string, @Param('name') name: string, @ZodBody(ExecuteBody) b: z.infer<typeof ExecuteBody>, @Change() ctx: ChangeContext) {
    return this.switches.executePlan(env, name, b, ctx);
  }

  @Post('plans/:name/revert')
  @ApiRoute({ role: 'operator', area: 'switches' }, { summary: 'Restore the states from before the last execution', body: ReasonBody, status: 201 })
  revert(@Param('env') env: string, @Param('name') name: string, @Change() ctx: ChangeContext) {
    return this.switches.revertPlan(env, name, ctx);
  }

  @Delete('plans/:name')
  @ApiRoute({ role: 'operator', area: 'switches' }, { summary: 'Delete a plan' })
  deletePlan(@Param('env') env: string, @Param('name') name: string, @Change() ctx: ChangeContext) {
    return this.switches.deletePlan(env, name, ctx);
  }

  @Get('receipts')
  @ApiRoute({ role: 'viewer', area: 'switches' }, { summary: 'Which clients applied which revision; laggards' })
  receipts(@Param('env') env: string) {
    return this.switches.receipts(env);
  }
}
