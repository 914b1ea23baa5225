import { Controller, Delete, Get, Param, Post, Put } from '@nestjs/common';
import type { ChangeContext } from '@paddock/platform';
import type { z } from 'zod';
import { ApiRoute } from '../http/api-route.js';
import { Change } from '../http/request-context.js';
import { ZodBody, ZodQuery } from '../http/zod-pipe.js';
import { DiffQuery, DraftBody, GrayAbortBody, GrayPromoteBody, GrayRulesBody, GrayStartBody, PublishBody, RollbackBody } from './config.dto.js';
import { ConfigViews } from './config.views.js';

const R = ':env/:app/:namespace';

@Controller('api/configs')
export class ConfigController {
  constructor(private readonly configs: ConfigViews) {}

  @Get()
  @ApiRoute({ role: 'viewer', area: 'config' }, { summary: 'Every env / app / namespace' })
  tree() {
    return this.configs.tree();
  }

  @Get(R)
  @ApiRoute({ role: 'viewer', area: 'config' }, { summary: 'Live release, draft and schema of a namespace' })
  get(@Param() p: { env: string; app: string; namespace: string }) {
    return this.configs.get(p);
  }

  @Put(`${R}/draft`)
  @ApiRoute({ role: 'operator', area: 'config' }, { summary: 'Save the draft (CAS with expectedVersion)', body: DraftBody })
  saveDraft(@Param() p: { env: string; app: string; namespace: string }, @ZodBody(DraftBody) b: z.infer<typeof DraftBody>, @Change() ctx: ChangeContext) {
    return this.configs.saveDraft(p, b, ctx);
  }

  @Delete(`${R}/draft`)
  @ApiRoute({ role: 'operator', area: 'config' }, { summary: 'Discard the draft' })
  discardDraft(@Param() p: { env: string; app: string; namespace: string }, @Change() ctx: ChangeContext) {
    return this.configs.discardDraft(p, ctx);
  }

  @Post(`${R}/publish`)
  @ApiRoute({ role: 'operator', area: 'config' }, { summary: 'Publish the draft or the given content as a new release (CAS)', body: PublishBody, status: 201 })
  publish(@Param() p: { env: string; app: string; namespace: string }, @ZodBody(PublishBody) b: z.infer<typeof PublishBody>, @Change() ctx: ChangeContext) {
    return this.configs.publish(p, b, ctx);
  }

  @Get(`${R}/history`)
  @ApiRoute({ role: 'viewer', area: 'config' }, { summary: 'Every release, newest first' })
  history(@Param() p: { env: string; app: string; namespace: string }) {
    return this.configs.history(p);
  }

  @Get(`${R}/diff`)
  @ApiRoute({ role: 'viewer', area: 'config' }, { summary: 'Line diff of two releases', query: DiffQuery })
  diff(@Param() p: { env: string; app: string; namespace: string }, @ZodQuery(DiffQuery) q: z.infer<typeof DiffQuery>) {
    return this.configs.diff(p, q.from, q.to);
  }

  @Post(`${R}/rollback`)
  @ApiRoute({ role: 'operator', area: 'config' }, { summary: 'Publish an older release again as a new release', body: RollbackBody, status: 201 })
  rollback(@Param() p: { env: string; app: string; namespace: string }, @ZodBody(RollbackBody) b: z.infer<typeof RollbackBody>, @Change() ctx: ChangeContext) {
    return this.configs.rollback(p, b, ctx);
  }

  @Get(`${R}/listeners`)
  @ApiRoute({ role: 'viewer', area: 'config' }, { summary: 'Which clients hold which release' })
  listeners(@Param() p: { env: string; app: string; namespace: string }) {
    return this.configs.listeners(p);
  }

  @Get(`${R}/gray`)
  @ApiRoute({ role: 'viewer', area: 'config' }, { summary: 'The active gray release (null: none) and which clients hold gray / main / stale' })
  gray(@Param() p: { env: string; app: string; namespace: string }) {
    return this.configs.gray(p);
  }

  @Post(`${R}/gray`)
  @ApiRoute({ role: 'operator', area: 'config' }, { summary: 'Start a gray release for the clients the rules select (content or the draft; one at a time; reason required)', body: GrayStartBody, status: 201 })
  startGray(@Param() p: { env: string; app: string; namespace: string }, @ZodBody(GrayStartBody) b: z.infer<typeof GrayStartBody>, @Change() ctx: ChangeContext) {
    return this.configs.startGray(p, b, ctx);
  }

  @Put(`${R}/gray/rules`)
  @ApiRoute({ role: 'operator', area: 'config' }, { summary: 'Change which clients get the active gray release (reason required)', body: GrayRulesBody })
  updateGrayRules(@Param() p: { env: string; app: string; namespace: string }, @ZodBody(GrayRulesBody) b: z.infer<typeof GrayRulesBody>, @Change() ctx: ChangeContext) {
    return this.configs.updateGrayRules(p, b, ctx);
  }

  @Post(`${R}/gray/promote`)
  @ApiRoute({ role: 'operator', area: 'config' }, { summary: 'Publish the gray content as the next release (CAS) and end the gray (reason required)', body: GrayPromoteBody, status: 201 })
  promoteGray(@Param() p: { env: string; app: string; namespace: string }, @ZodBody(GrayPromoteBody) b: z.infer<typeof GrayPromoteBody>, @Change() ctx: ChangeContext) {
    return this.configs.promoteGray(p, b, ctx);
  }

  @Post(`${R}/gray/abort`)
  @ApiRoute({ role: 'operator', area: 'config' }, { summary: 'End the gray release: its clients return to the live release (reason required)', body: GrayAbortBody, status: 201 })
  abortGray(@Param() p: { env: string; app: string; namespace: string }, @ZodBody(GrayAbortBody) b: z.infer<typeof GrayAbortBody>, @Change() ctx: ChangeContext) {
    return this.configs.abortGray(p, b, ctx);
  }
}

