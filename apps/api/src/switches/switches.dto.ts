import { z } from 'zod';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, . _ -');
const json: z.ZodType<unknown> = z.lazy(() => z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(json), z.record(z.string(), json)]));
export const reason = z.string().max(500).optional();

export const Scope = z.object({ service: z.string().min(1).max(300), method: z.string().min(1).max(200).optional(), consumerApp: z.string().min(1).max(200).optional() });
export const Fallback = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('null') }),
  z.object({ kind: z.literal('value'), value: json }),
  z.object({ kind: z.literal('empty'), of: z.enum(['array', 'object', 'string']) }),
  z.object({ kind: z.literal('throw'), message: z.string().max(500) }),
]);
export const SwitchSpecBody = z.object({
  scope: Scope,
  mode: z.enum(['off', 'force', 'fail']),
  fallback: Fallback.optional(),
  /** Epoch ms after which the switch reverts by itself (a delayed job writes it off). */
  expiresAt: z.number().int().positive().nullable().optional(),
  description: z.string().max(500).optional(),
});
export const SetSwitchBody = SwitchSpecBody.extend({ expectedVersion: z.number().int().min(0).optional(), reason });
export const PlanBody = z.object({ description: z.string().max(500).optional(), switches: z.array(SwitchSpecBody).min(1).max(200), reason });
export const ExecuteBody = z.object({ expiresAt: z.number().int().positive().optional(), reason });
export const ReasonBody = z.object({ reason });
export const EnvParam = name;

/** A switch change at a future time (ISO-8601 or epoch ms); reason required. */
export const ScheduleSwitchBody = SwitchSpecBody.extend({ at: z.union([z.string().min(1).max(64), z.number()]), reason: z.string().min(1).max(500).optional() });
export const ScheduleCancelBody = z.object({ reason: z.string().min(1).max(500).optional() });
export const ScheduleListQuery = z.object({ status: z.enum(['pending', 'executing', 'executed', 'cancelled', 'failed']).optional() });
