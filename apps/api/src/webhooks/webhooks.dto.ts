import { z } from 'zod';
import { EVENT_PATTERN } from './webhook-filter.js';
import type { WebhookDeliveryStatus } from '@paddock/platform/contracts';

export const WebhookUrl = z
  .string()
  .max(2000, 'at most 2000 characters')
  .superRefine((value, ctx) => {
    let u: URL;
    try {
      u = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an absolute http:// or https:// URL' });
      return;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: `must use http or https, not ${u.protocol.replace(/:$/, '')}` });
    else if (!u.hostname) ctx.addIssue({ code: 'custom', message: 'must name a host' });
    // credentials in the URL would be shown to every admin and in logs; the signature secret authenticates us
    if (u.username || u.password) ctx.addIssue({ code: 'custom', message: 'must not carry credentials (user:password@); receivers authenticate deliveries by their signature' });
  });

const eventPattern = z.string().regex(EVENT_PATTERN, 'an audit event type (config.publish), a wildcard segment (switch.*, switch.plan.*) or *');
const pathPrefix = z.string().max(1000).regex(/^\/[^\0]*$/, 'a path starting with /');
const secret = z.string().min(16, 'at least 16 characters').max(256).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

export const CreateWebhookBody = z.object({
  name: z.string().trim().min(1).max(100),
  url: WebhookUrl,
  events: z.array(eventPattern).min(1, 'at least one event type pattern (* for all)').max(50).default(['*']),
  pathPrefixes: z.array(pathPrefix).max(50).default([]),
  /** Omitted: generated; either way returned once in the creation answer. */
  secret: secret.optional(),
  enabled: z.boolean().default(true),
  reason: z.string().max(500).optional(),
});

export const UpdateWebhookBody = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  url: WebhookUrl.optional(),
  events: z.array(eventPattern).min(1, 'at least one event type pattern (* for all)').max(50).optional(),
  pathPrefixes: z.array(pathPrefix).max(50).optional(),
  enabled: z.boolean().optional(),
  reason: z.string().max(500).optional(),
});

export const RotateSecretBody = z.object({
  /** Omitted: generated. */
  secret: secret.optional(),
  reason: z.string().max(500).optional(),
});

export const ReasonQuery = z.object({ reason: z.string().max(500).optional() });

export const DELIVERY_STATUSES = ['pending', 'retrying', 'delivered', 'dead'] as const satisfies readonly WebhookDeliveryStatus[];
export type DeliveryStatus = WebhookDeliveryStatus;

export const DeliveriesQuery = z.object({
  status: z.enum(DELIVERY_STATUSES).optional(),
  eventType: z.string().min(1).max(100).optional(),
  /** Deliveries created before this one (paging backwards). */
  before: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export type CreateWebhookInput = z.infer<typeof CreateWebhookBody>;
export type UpdateWebhookInput = z.infer<typeof UpdateWebhookBody>;
export type DeliveriesFilter = z.infer<typeof DeliveriesQuery>;
