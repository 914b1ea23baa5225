import { Controller, Delete, Get, Param, Patch, Post } from '@nestjs/common';
import type { ChangeContext } from '@paddock/platform';
import type { z } from 'zod';
import { ApiRoute } from '../http/api-route.js';
import { Change } from '../http/request-context.js';
import { ZodBody, ZodQuery } from '../http/zod-pipe.js';
import { CreateWebhookBody, DeliveriesQuery, ReasonQuery, RotateSecretBody, UpdateWebhookBody } from './webhooks.dto.js';
import { WebhooksService } from './webhooks.service.js';

const ADMIN = { role: 'admin', area: 'admin' } as const;
const withReason = (ctx: ChangeContext, reason: string | undefined): ChangeContext => (reason ? { ...ctx, reason } : ctx);

@Controller('api/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  @ApiRoute(ADMIN, { summary: 'Webhook subscriptions to the audit stream (never their secrets)' })
  async list() {
    return { webhooks: await this.webhooks.list() };
  }

  @Post()
  @ApiRoute(ADMIN, { summary: 'Subscribe a URL to audit events (type patterns such as switch.*, path prefixes); the signing secret is shown once; audited as webhook.create', body: CreateWebhookBody, status: 201 })
  create(@ZodBody(CreateWebhookBody) b: z.infer<typeof CreateWebhookBody>, @Change() ctx: ChangeContext) {
    return this.webhooks.create(b, ctx);
  }

  @Get(':id')
  @ApiRoute(ADMIN, { summary: 'One webhook subscription' })
  get(@Param('id') id: string) {
    return this.webhooks.get(id);
  }

  @Patch(':id')
  @ApiRoute(ADMIN, { summary: 'Change name, URL, filters or enabled; audited as webhook.update', body: UpdateWebhookBody })
  update(@Param('id') id: string, @ZodBody(UpdateWebhookBody) b: z.infer<typeof UpdateWebhookBody>, @Change() ctx: ChangeContext) {
    return this.webhooks.update(id, b, ctx);
  }

  @Delete(':id')
  @ApiRoute(ADMIN, { summary: 'Delete a subscription and its delivery history; audited as webhook.delete', query: ReasonQuery })
  delete(@Param('id') id: string, @ZodQuery(ReasonQuery) q: z.infer<typeof ReasonQuery>, @Change() ctx: ChangeContext) {
    return this.webhooks.delete(id, withReason(ctx, q.reason));
  }

  @Post(':id/rotate-secret')
  @ApiRoute(ADMIN, { summary: 'Replace the signing secret (given, or generated); the new secret is shown once; audited as webhook.secret.rotate', body: RotateSecretBody, status: 201 })
  rotateSecret(@Param('id') id: string, @ZodBody(RotateSecretBody) b: z.infer<typeof RotateSecretBody>, @Change() ctx: ChangeContext) {
    return this.webhooks.rotateSecret(id, b.secret, ctx);
  }

  @Post(':id/ping')
  @ApiRoute(ADMIN, { summary: 'Queue a test delivery (type webhook.ping), whatever the filters', status: 201 })
  ping(@Param('id') id: string, @Change() ctx: ChangeContext) {
    return this.webhooks.ping(id, ctx);
  }

  @Get(':id/deliveries')
  @ApiRoute(ADMIN, { summary: 'Deliveries, newest first, each with every attempt (status code, error, duration); page with before=<deliveryId>', query: DeliveriesQuery })
  async deliveries(@Param('id') id: string, @ZodQuery(DeliveriesQuery) q: z.infer<typeof DeliveriesQuery>) {
    return { deliveries: await this.webhooks.deliveries(id, q) };
  }

  @Get(':id/deliveries/:deliveryId')
  @ApiRoute(ADMIN, { summary: 'One delivery with its attempts and the exact body sent' })
  delivery(@Param('id') id: string, @Param('deliveryId') deliveryId: string) {
    return this.webhooks.delivery(id, deliveryId);
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @ApiRoute(ADMIN, { summary: 'Send a delivered or dead delivery again (same X-Paddock-Delivery id and body, the configured attempts once more)', status: 201 })
  redeliver(@Param('id') id: string, @Param('deliveryId') deliveryId: string) {
    return this.webhooks.redeliver(id, deliveryId);
  }
}
