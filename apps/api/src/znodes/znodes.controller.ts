import { Controller, Delete, Get, Post, Put } from '@nestjs/common';
import type { ChangeContext } from '@paddock/platform';
import { ApiRoute } from '../http/api-route.js';
import { Change } from '../http/request-context.js';
import { ZodBody, ZodQuery } from '../http/zod-pipe.js';
import { ZnodeService } from './znode.service.js';
import { ChildrenQuery, CreateBody, DataQuery, DeleteQuery, PathQuery, SetBody } from './znodes.dto.js';
import type { z } from 'zod';

@Controller('api/znodes')
export class ZnodesController {
  constructor(private readonly znodes: ZnodeService) {}

  @Get('children')
  @ApiRoute({ role: 'viewer', area: 'znodes' }, { summary: 'Children of a znode, sorted, paged (offset/limit), with their stats', query: ChildrenQuery })
  children(@ZodQuery(ChildrenQuery) q: z.infer<typeof ChildrenQuery>) {
    return this.znodes.children(q.path, q.offset, q.limit);
  }

  @Get('stat')
  @ApiRoute({ role: 'viewer', area: 'znodes' }, { summary: 'Stat of a znode', query: PathQuery })
  stat(@ZodQuery(PathQuery) q: z.infer<typeof PathQuery>) {
    return this.znodes.stat(q.path);
  }

  @Get('data')
  @ApiRoute({ role: 'viewer', area: 'znodes' }, { summary: 'Data of a znode as text, JSON, hex or base64', query: DataQuery })
  data(@ZodQuery(DataQuery) q: z.infer<typeof DataQuery>) {
    return this.znodes.data(q.path, q.format);
  }

  @Get('acl')
  @ApiRoute({ role: 'viewer', area: 'znodes' }, { summary: 'ACL of a znode', query: PathQuery })
  acl(@ZodQuery(PathQuery) q: z.infer<typeof PathQuery>) {
    return this.znodes.acl(q.path);
  }

  @Post()
  @ApiRoute({ role: 'operator', area: 'znodes' }, { summary: 'Create a znode (persistent, sequential or container); audited as znode.create', body: CreateBody, status: 201 })
  create(@ZodBody(CreateBody) b: z.infer<typeof CreateBody>, @Change() ctx: ChangeContext) {
    return this.znodes.create(b, ctx);
  }

  @Put('data')
  @ApiRoute({ role: 'operator', area: 'znodes' }, { summary: 'Set data with a version check (-1: any); 409 + zkCode -103 on a conflict; audited as znode.set', body: SetBody })
  set(@ZodBody(SetBody) b: z.infer<typeof SetBody>, @Change() ctx: ChangeContext) {
    return this.znodes.set(b, ctx);
  }

  @Delete()
  @ApiRoute({ role: 'operator', area: 'znodes' }, { summary: 'Delete a znode with a version check (-1: any); audited as znode.delete (reason: query or X-Change-Reason)', query: DeleteQuery })
  remove(@ZodQuery(DeleteQuery) q: z.infer<typeof DeleteQuery>, @Change() ctx: ChangeContext) {
    return this.znodes.remove(q.path, q.version, q.reason ? { ...ctx, reason: q.reason } : ctx);
  }
}
