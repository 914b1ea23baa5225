import { z } from 'zod';

export const reason = z.string().max(500).optional();
export const ServiceParam = z.string().min(1).max(300);
export const OverrideScopeBody = z.object({
  /** host:port of the instance, or 0.0.0.0 for all instances. */
  address: z.string().min(1).max(300),
  application: z.string().min(1).max(200).optional(),
  reason,
});
export const DisableBody = OverrideScopeBody.extend({
  disabled: z.boolean(),
  /** Epoch ms after which the override lapses (null: never). */
  expiresAt: z.number().int().positive().nullable().optional(),
});
export const WeightBody = OverrideScopeBody.extend({
  /** null: back to the provider's own weight. */
  weight: z.number().int().min(0).max(100_000).nullable(),
  expiresAt: z.number().int().positive().nullable().optional(),
});
