import { Controller, Delete, Get, Param, Put } from '@nestjs/common';
import type { ChangeContext } from '@paddock/platform';
import type { z } from 'zod';
import { ApiRoute } from '../http/api-route.js';
import { Change } from '../http/request-context.js';
import { ZodBody } from '../http/zod-pipe.js';
import { DisableBody, OverrideScopeBody, WeightBody } from './registry.dto.js';
import { RegistryViews } from './registry.views.js';

@Controller('api/registry')
export class RegistryController {
  constructor(private readonly registry: RegistryViews) {}

  @Get('services')
  @ApiRoute({ role: 'viewer', area: 'registry' }, { summary: 'Registered service interfaces' })
  services() {
    return this.registry.services();
  }

  @Get('services/:service')
  @ApiRoute({ role: 'viewer', area: 'registry' }, { summary: 'Providers (effective: overrides applied), consumers, overrides and routes of a service' })
  service(@Param('service') service: string) {
    return this.registry.service(service);
  }

  @Get('zombies')
  @ApiRoute({ role: 'viewer', area: 'registry' }, { summary: 'The latest zombie scan (provider nodes whose owner session is not live)' })
  zombies() {
    return this.registry.zombies();
  }

  @Put('services/:service/overrides/disabled')
  @ApiRoute({ role: 'operator', area: 'registry' }, { summary: 'Disable or re-enable an instance (override node; never the provider node)', body: DisableBody })
  disable(@Param('service') service: string, @ZodBody(DisableBody) b: z.infer<typeof DisableBody>, @Change() ctx: ChangeContext) {
    return this.registry.setDisabled(service, b, ctx);
  }

  @Put('services/:service/overrides/weight')
  @ApiRoute({ role: 'operator', area: 'registry' }, { summary: 'Re-weight an instance (null: provider default)', body: WeightBody })
  weight(@Param('service') service: string, @ZodBody(WeightBody) b: z.infer<typeof WeightBody>, @Change() ctx: ChangeContext) {
    return this.registry.setWeight(service, b, ctx);
  }

  @Delete('services/:service/overrides')
  @ApiRoute({ role: 'operator', area: 'registry' }, { summary: 'Remove every override of a scope', body: OverrideScopeBody })
  removeOverride(@Param('service') service: string, @ZodBody(OverrideScopeBody) b: z.infer<typeof OverrideScopeBody>, @Change() ctx: ChangeContext) {
    return this.registry.removeOverride(service, b, ctx);
  }
}
