/** Switch use cases over SwitchService (validated env / plan names). */
import type { ChangeContext, SwitchService, SwitchSpec } from '@paddock/platform';
import type { SwitchPlanChange } from '@paddock/platform/contracts';
import { AppError } from '../errors.js';
import { EnvParam } from './switches.dto.js';

function checkName(kind: string, value: string): string {
  if (!EnvParam.safeParse(value).success) throw new AppError('invalid', `bad ${kind} name ${JSON.stringify(value)}`);
  return value;
}

export class SwitchViews {
  constructor(private readonly switches: SwitchService) {}

  list(env: string) {
    return this.switches.list(checkName('env', env));
  }

  async get(env: string, id: string) {
    const s = await this.switches.get(checkName('env', env), id);
    if (!s) throw new AppError('not-found', `no switch ${id} in ${env}`);
    return s;
  }

  set(env: string, b: SwitchSpec & { expectedVersion?: number | undefined }, ctx: ChangeContext) {
    const { expectedVersion, ...spec } = b as SwitchSpec & { expectedVersion?: number; reason?: string };
    delete (spec as { reason?: string }).reason;
    return this.switches.set(checkName('env', env), spec, ctx, expectedVersion !== undefined ? { expectedVersion } : {});
  }

  async remove(env: string, id: string, ctx: ChangeContext) {
    return { deleted: await this.switches.delete(checkName('env', env), id, ctx) };
  }

  async plans(env: string) {
    const names = await this.switches.listPlans(checkName('env', env));
    return { plans: await Promise.all(names.map((n) => this.switches.getPlan(env, n))) };
  }

  savePlan(env: string, name: string, b: { description?: string | undefined; switches: SwitchSpec[] }, ctx: ChangeContext) {
    return this.switches.savePlan(checkName('env', env), { name: checkName('plan', name), switches: b.switches, ...(b.description !== undefined ? { description: b.description } : {}) }, ctx);
  }

  async previewPlan(env: string, name: string): Promise<{ changes: SwitchPlanChange[] }> {
    return { changes: await this.switches.previewPlan(checkName('env', env), checkName('plan', name)) };
  }

  executePlan(env: string, name: string, b: { expiresAt?: number | undefined }, ctx: ChangeContext) {
    return this.switches.executePlan(checkName('env', env), checkName('plan', name), ctx, b.expiresAt !== undefined ? { expiresAt: b.expiresAt } : {});
  }

  revertPlan(env: string, name: string, ctx: ChangeContext) {
    return this.switches.revertPlan(checkName('env', env), checkName('plan', name), ctx);
  }

  async deletePlan(env: string, name: string, ctx: ChangeContext) {
    return { deleted: await this.switches.deletePlan(checkName('env', env), checkName('plan', name), ctx) };
  }

  async receipts(env: string) {
    const e = checkName('env', env);
    return { receipts: await this.switches.receipts(e), laggards: await this.switches.laggards(e) };
  }
}
