import { Controller, Get } from '@nestjs/common';
import type { z } from 'zod';
import { ApiRoute } from '../http/api-route.js';
import { ZodQuery } from '../http/zod-pipe.js';
import { AuditQueryDto } from './audit.dto.js';
import { AuditRepository } from './audit.repository.js';

@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditRepository) {}

  @Get()
  @ApiRoute({ role: 'viewer', area: 'audit' }, { summary: 'Audit events, newest first, by path (or prefix), actor, type and time range; page with beforeSeq', query: AuditQueryDto })
  async query(@ZodQuery(AuditQueryDto) q: z.infer<typeof AuditQueryDto>) {
    return { events: await this.audit.query(q) };
  }

  @Get('verify')
  @ApiRoute({ role: 'viewer', area: 'audit' }, { summary: 'Recompute the hash chain; reports the first row that does not verify' })
  verify() {
    return this.audit.verify();
  }
}
