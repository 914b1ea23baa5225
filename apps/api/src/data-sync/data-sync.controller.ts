import { Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import type { ChangeContext, SyncTaskInput } from '@paddock/platform';
import type { z } from 'zod';
import { ApiRoute } from '../http/api-route.js';
import { Change } from '../http/request-context.js';
import { ZodBody, ZodQuery } from '../http/zod-pipe.js';
import { PublishBody, ReasonBody, ReasonQuery } from './data-sync.dto.js';
import { DataSyncViews } from './data-sync.views.js';

@Controller('api/data-sync')
export class DataSyncController {
  constructor(private readonly dataSync: DataSyncViews) {}

  @Get('tasks')
  @ApiRoute({ role: 'viewer', area: 'data-sync' }, { summary: 'Tasks with state, progress and attempt history (?status= filters)' })
  tasks(@Query('status') status?: string) {
    return this.dataSync.tasks(typeof status === 'string' && status ? status : undefined);
  }

  @Post('tasks')
  @ApiRoute({ role: 'operator', area: 'data-sync' }, { summary: 'Publish a task (reason required)', body: PublishBody, status: 201 })
  publish(@ZodBody(PublishBody) b: z.infer<typeof PublishBody>, @Change() ctx: ChangeContext) {
    return this.dataSync.publish(b as SyncTaskInput & { reason?: string }, ctx);
  }

  @Get('tasks/:id')
  @ApiRoute({ role: 'viewer', area: 'data-sync' }, { summary: 'One task' })
  task(@Param('id') id: string) {
    return this.dataSync.task(id);
  }

  @Post('tasks/:id/cancel')
  @ApiRoute({ role: 'operator', area: 'data-sync' }, { summary: 'Cancel a task (reason required)', body: ReasonBody, status: 201 })
  cancel(@Param('id') id: string, @ZodBody(ReasonBody) _b: z.infer<typeof ReasonBody>, @Change() ctx: ChangeContext) {
    return this.dataSync.cancel(id, ctx);
  }

  @Post('tasks/:id/retry')
  @ApiRoute({ role: 'operator', area: 'data-sync' }, { summary: 'Retry a failed or cancelled task with fresh attempts (reason required)', body: ReasonBody, status: 201 })
  retry(@Param('id') id: string, @ZodBody(ReasonBody) _b: z.infer<typeof ReasonBody>, @Change() ctx: ChangeContext) {
    return this.dataSync.retry(id, ctx);
  }

  @Delete('tasks/:id')
  @ApiRoute({ role: 'operator', area: 'data-sync' }, { summary: 'Delete a finished task (reason: query or X-Change-Reason)', query: ReasonQuery })
  remove(@Param('id') id: string, @ZodQuery(ReasonQuery) q: z.infer<typeof ReasonQuery>, @Change() ctx: ChangeContext) {
    return this.dataSync.remove(id, q.reason ? { ...ctx, reason: q.reason } : ctx);
  }

  @Get('workers')
  @ApiRoute({ role: 'viewer', area: 'data-sync' }, { summary: 'Live collectors and stores (capacity, running tasks)' })
  workers() {
    return this.dataSync.workers();
  }

  @Get('master')
  @ApiRoute({ role: 'viewer', area: 'data-sync' }, { summary: 'Master epoch and election participants' })
  master() {
    return this.dataSync.master();
  }
}
