/**
 * Degradation switches (operator side). Layout under the root (default `/paddock/switches`):
 *
 *   {root}/{env}/revision          bumped (setData) in the same multi as every switch change: its znode version
 *                                  is the env's switch revision, the one number clients watch and acknowledge
 *   {root}/{env}/items/{id}        one switch (JSON {@link SwitchState}); id = switchId(scope)
 *   {root}/{env}/plans/{name}      a named degradation plan (JSON {@link SwitchPlan})
 *   {root}/{env}/receipts/{client} ephemeral receipts of SwitchClients ({@link SwitchReceipt})
 *
 * Every change is one multi (items + revision, CAS on both), so a plan flips all its switches atomically and a
 * client never sees half a plan. `expireDue(now)` writes expired switches off (the backend schedules it).
 */
import { BadVersionError, NoNodeError, TransactionError, type Op, type ZooKeeperClient } from '@paddock/client';
import { toFramework, type ClientLike, type Framework } from '@paddock/recipes';
import { Auditor, type AuditPolicy, type AuditSink, type ChangeContext } from '../audit.js';
import { childrenOrEmpty, ensureNode, jsonData, parseJson, readJson } from '../zk.js';
import {
  SwitchSpecError,
  isActive,
  switchId,
  validateFallback,
  validateScope,
  type FallbackValue,
  type SwitchMode,
  type SwitchScope,
  type SwitchState,
} from './evaluate.js';

export const DEFAULT_SWITCH_ROOT = '/paddock/switches';

export interface SwitchSpec {
  scope: SwitchScope;
  mode: SwitchMode;
  /** Default `{kind: 'null'}`. */
  fallback?: FallbackValue;
  expiresAt?: number | null;
  description?: string;
}

export interface SwitchPlan {
  name: string;
  description?: string;
  switches: SwitchSpec[];
  status: 'idle' | 'active';
  executedAt?: string;
  executedBy?: string;
  /** Switch states before the last execution (null: did not exist), for revert. */
  before?: Record<string, SwitchState | null>;
}

export interface SwitchReceipt {
  clientId: string;
  application?: string;
  revision: number;
  /** id -> version of every switch the client holds. */
  switches: Record<string, number>;
  appliedAt: string;
}

export interface SwitchSnapshot {
  revision: number;
  switches: SwitchState[];
}

export class SwitchConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SwitchConflictError';
  }
}

export class PlanNotFoundError extends Error {
  constructor(env: string, name: string) {
    super(`no plan ${name} in ${env}`);
    this.name = 'PlanNotFoundError';
  }
}

export interface SwitchServiceOptions {
  audit?: AuditSink;
  policy?: AuditPolicy;
  root?: string;
  now?: () => number;
}

const ENV = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function switchEnvPath(root: string, env: string): string {
  if (!ENV.test(env)) throw new RangeError(`bad env name ${JSON.stringify(env)}`);
  return `${root}/${env}`;
}

/**
 * Reads a consistent snapshot: revision, items, revision again (retried until both revisions agree).
 * Works on any ZooKeeper (no multiRead needed).
 */
export async function readSwitchSnapshot(c: ZooKeeperClient, envPath: string, watchRevision?: () => void): Promise<SwitchSnapshot> {
  for (let attempt = 0; ; attempt++) {
    const rev = await c.exists(`${envPath}/revision`, watchRevision ? { watch: watchRevision } : {});
    const switches: SwitchState[] = [];
    for (const id of await childrenOrEmpty(c, `${envPath}/items`)) {
      try {
        const { data } = await c.getData(`${envPath}/items/${id}`);
        const s = parseJson<SwitchState>(data);
        if (s) switches.push(s);
      } catch (error) {
        if (!(error instanceof NoNodeError)) throw error;
      }
    }
    const again = await c.exists(`${envPath}/revision`);
    if ((rev?.version ?? -1) === (again?.version ?? -1) || attempt >= 20) {
      return { revision: again ? again.version : 0, switches: switches.sort((a, b) => (a.id < b.id ? -1 : 1)) };
    }
  }
}

export class SwitchService {
  private readonly framework: Framework;
  private readonly auditor: Auditor;
  readonly root: string;
  private readonly now: () => number;

  constructor(client: ClientLike, options: SwitchServiceOptions = {}) {
    this.framework = toFramework(client);
    this.now = options.now ?? Date.now;
    this.auditor = new Auditor(options.audit, options.policy, () => new Date(this.now()));
    this.root = options.root ?? DEFAULT_SWITCH_ROOT;
  }

  private run<T>(fn: (c: ZooKeeperClient) => Promise<T>): Promise<T> {
    return this.framework.run(fn);
  }

  envPath(env: string): string {
    return switchEnvPath(this.root, env);
  }

  async list(env: string): Promise<SwitchSnapshot> {
    return this.run((c) => readSwitchSnapshot(c, this.envPath(env)));
  }

  async get(env: string, scopeOrId: SwitchScope | string): Promise<SwitchState | null> {
    const id = typeof scopeOrId === 'string' ? scopeOrId : switchId(scopeOrId);
    return (await this.run((c) => readJson<SwitchState>(c, `${this.envPath(env)}/items/${id}`)))?.value ?? null;
  }

  private nextState(id: string, spec: SwitchSpec, prev: SwitchState | null, ctx: ChangeContext, plan?: string): SwitchState {
    validateScope(spec.scope);
    const fallback = spec.fallback ?? prev?.fallback ?? { kind: 'null' };
    validateFallback(fallback);
    if (!['off', 'force', 'fail'].includes(spec.mode)) throw new SwitchSpecError(`bad mode ${JSON.stringify(spec.mode)}`);
    if (spec.expiresAt !== undefined && spec.expiresAt !== null && !(Number.isFinite(spec.expiresAt) && spec.expiresAt > 0)) throw new SwitchSpecError('expiresAt must be epoch ms');
    return {
      id,
      scope: { service: spec.scope.service, ...(spec.scope.method ? { method: spec.scope.method } : {}), ...(spec.scope.consumerApp ? { consumerApp: spec.scope.consumerApp } : {}) },
      mode: spec.mode,
      fallback,
      expiresAt: spec.mode === 'off' ? null : (spec.expiresAt ?? null),
      version: (prev?.version ?? 0) + 1,
      updatedAt: new Date(this.now()).toISOString(),
      updatedBy: ctx.actor,
      ...(ctx.reason ? { reason: ctx.reason } : {}),
      ...((spec.description ?? prev?.description) ? { description: spec.description ?? prev?.description } : {}),
      ...(plan ? { plan } : {}),
    };
  }

  /**
   * Writes switch states (null deletes) plus `extra` ops and the revision bump as one multi. `compute` gets the
   * current states and returns the changes; it is re-run when another writer got in between (up to 10 times)
   * unless `strict` (then a SwitchConflictError is thrown).
   */
  private async commit(
    env: string,
    ids: readonly string[],
    compute: (current: Map<string, SwitchState | null>) => { changes: Map<string, SwitchState | null>; extra?: Op[] },
    strict = false,
  ): Promise<{ revision: number; before: Map<string, SwitchState | null>; changes: Map<string, SwitchState | null> }> {
    const envPath = this.envPath(env);
    return this.run(async (c) => {
      await ensureNode(c, `${envPath}/items`);
      // for the SwitchClients' receipts (the env node may be write-protected by ACL); before revision, whose
      // creation is what watchers react to
      await ensureNode(c, `${envPath}/receipts`);
      await ensureNode(c, `${envPath}/revision`);
      for (let attempt = 0; ; attempt++) {
        const rev = await c.exists(`${envPath}/revision`);
        const current = new Map<string, SwitchState | null>();
        const versions = new Map<string, number>();
        for (const id of ids) {
          const r = await readJson<SwitchState>(c, `${envPath}/items/${id}`);
          current.set(id, r?.value ?? null);
          if (r) versions.set(id, r.version);
        }
        const { changes, extra = [] } = compute(current);
        if (changes.size === 0 && extra.length === 0) return { revision: rev?.version ?? 0, before: current, changes };
        const ops: Op[] = [];
        for (const [id, next] of changes) {
          const path = `${envPath}/items/${id}`;
          const v = versions.get(id);
          if (next === null) {
            if (v !== undefined) ops.push({ type: 'delete', path, version: v });
          } else if (v === undefined) ops.push({ type: 'create', path, data: jsonData(next) });
          else ops.push({ type: 'setData', path, data: jsonData(next), version: v });
        }
        ops.push(...extra);
        ops.push({ type: 'setData', path: `${envPath}/revision`, data: jsonData({ updatedAt: new Date(this.now()).toISOString() }), version: rev?.version ?? -1 });
        try {
          const results = await c.multi(ops);
          const last = results[results.length - 1];
          const revision = last && last.type === 'setData' ? last.stat.version : (rev?.version ?? 0) + 1;
          return { revision, before: current, changes };
        } catch (error) {
          const conflict = error instanceof TransactionError && [-101, -103, -110].includes(error.code);
          if (!conflict) throw error;
          if (strict) throw new SwitchConflictError(`switches in ${env} changed meanwhile (${(error as TransactionError).codeName} at ${(error as TransactionError).path ?? '?'})`);
          if (attempt >= 10) throw error;
        }
      }
    });
  }

  /** Creates or changes one switch. `expectedVersion` (the switch's own version, 0 for new) makes it a strict CAS. */
  async set(env: string, spec: SwitchSpec, ctx: ChangeContext, options: { expectedVersion?: number } = {}): Promise<SwitchState> {
    this.auditor.check(ctx, 'switch.set');
    validateScope(spec.scope);
    const id = switchId(spec.scope);
    const { revision, before, changes } = await this.commit(
      env,
      [id],
      (current) => {
        const prev = current.get(id) ?? null;
        if (options.expectedVersion !== undefined && (prev?.version ?? 0) !== options.expectedVersion) {
          throw new SwitchConflictError(`switch ${id} is at version ${prev?.version ?? 0}, expected ${options.expectedVersion}`);
        }
        return { changes: new Map([[id, this.nextState(id, spec, prev, ctx)]]) };
      },
      options.expectedVersion !== undefined,
    );
    const after = changes.get(id)!;
    await this.auditor.emit(ctx, 'switch.set', `${this.envPath(env)}/items/${id}`, before.get(id) ?? null, after, { revision, env });
    return after;
  }

  /** Turns a switch off (kept, with its history of versions). */
  turnOff(env: string, scope: SwitchScope, ctx: ChangeContext): Promise<SwitchState> {
    return this.set(env, { scope, mode: 'off' }, ctx);
  }

  async delete(env: string, id: string, ctx: ChangeContext): Promise<boolean> {
    this.auditor.check(ctx, 'switch.delete');
    const { revision, before, changes } = await this.commit(env, [id], (current) => ({ changes: current.get(id) ? new Map([[id, null]]) : new Map() }));
    if (changes.size === 0) return false;
    await this.auditor.emit(ctx, 'switch.delete', `${this.envPath(env)}/items/${id}`, before.get(id) ?? null, null, { revision, env });
    return true;
  }

  /** Writes every active switch whose expiry is due off (one multi). Returns the expired ids. */
  async expireDue(env: string, now = this.now(), ctx: ChangeContext = { actor: 'system:switch-expiry', source: 'scheduler', reason: 'switch expired' }): Promise<string[]> {
    const snapshot = await this.list(env);
    const due = snapshot.switches.filter((s) => s.mode !== 'off' && s.expiresAt !== undefined && s.expiresAt !== null && s.expiresAt <= now).map((s) => s.id);
    if (due.length === 0) return [];
    const { revision, before, changes } = await this.commit(env, due, (current) => {
      const changes = new Map<string, SwitchState | null>();
      for (const [id, s] of current) {
        if (s && s.mode !== 'off' && s.expiresAt && s.expiresAt <= now) changes.set(id, this.nextState(id, { scope: s.scope, mode: 'off' }, s, ctx));
      }
      return { changes };
    });
    for (const [id, after] of changes) {
      await this.auditor.emit(ctx, 'switch.expire', `${this.envPath(env)}/items/${id}`, before.get(id) ?? null, after, { revision, env, expiresAt: before.get(id)?.expiresAt ?? null });
    }
    return [...changes.keys()];
  }

  // ------------------------------------------------------------------------------------- plans

  private planPath(env: string, name: string): string {
    if (!ENV.test(name)) throw new RangeError(`bad plan name ${JSON.stringify(name)}`);
    return `${this.envPath(env)}/plans/${name}`;
  }

  async savePlan(env: string, plan: { name: string; description?: string; switches: SwitchSpec[] }, ctx: ChangeContext): Promise<SwitchPlan> {
    this.auditor.check(ctx, 'switch.plan.save');
    if (plan.switches.length === 0) throw new SwitchSpecError('a plan needs at least one switch');
    const ids = new Set<string>();
    for (const s of plan.switches) {
      validateScope(s.scope);
      if (s.fallback) validateFallback(s.fallback);
      const id = switchId(s.scope);
      if (ids.has(id)) throw new SwitchSpecError(`switch ${id} appears twice in plan ${plan.name}`);
      ids.add(id);
    }
    const path = this.planPath(env, plan.name);
    const result = await this.run(async (c) => {
      const before = await readJson<SwitchPlan>(c, path);
      const next: SwitchPlan = { ...(before?.value ?? { status: 'idle' as const }), name: plan.name, switches: plan.switches, ...(plan.description !== undefined ? { description: plan.description } : {}) };
      if (before) await c.setData(path, jsonData(next), before.version);
      else {
        await ensureNode(c, `${this.envPath(env)}/plans`);
        await c.create(path, jsonData(next));
      }
      return { before: before?.value ?? null, next };
    });
    await this.auditor.emit(ctx, 'switch.plan.save', path, result.before, result.next, { env });
    return result.next;
  }

  async getPlan(env: string, name: string): Promise<SwitchPlan | null> {
    return (await this.run((c) => readJson<SwitchPlan>(c, this.planPath(env, name))))?.value ?? null;
  }

  async listPlans(env: string): Promise<string[]> {
    return (await this.run((c) => childrenOrEmpty(c, `${this.envPath(env)}/plans`))).sort();
  }

  async deletePlan(env: string, name: string, ctx: ChangeContext): Promise<boolean> {
    this.auditor.check(ctx, 'switch.plan.delete');
    const before = await this.getPlan(env, name);
    if (!before) return false;
    await this.run((c) => c.delete(this.planPath(env, name)));
    await this.auditor.emit(ctx, 'switch.plan.delete', this.planPath(env, name), before, null, { env });
    return true;
  }

  /** What executing the plan would change: per switch, current vs planned (the blast radius preview). */
  async previewPlan(env: string, name: string): Promise<Array<{ id: string; scope: SwitchScope; current: SwitchState | null; planned: SwitchSpec }>> {
    const plan = await this.getPlan(env, name);
    if (!plan) throw new PlanNotFoundError(env, name);
    const out = [];
    for (const s of plan.switches) out.push({ id: switchId(s.scope), scope: s.scope, current: await this.get(env, s.scope), planned: s });
    return out;
  }

  /** Flips every switch of the plan in one multi (with the plan's status and the states before, for revert). */
  async executePlan(env: string, name: string, ctx: ChangeContext, options: { expiresAt?: number } = {}): Promise<SwitchSnapshot> {
    this.auditor.check(ctx, 'switch.plan.execute');
    const planPath = this.planPath(env, name);
    const planRead = await this.run((c) => readJson<SwitchPlan>(c, planPath));
    if (!planRead?.value) throw new PlanNotFoundError(env, name);
    const plan = planRead.value;
    const ids = plan.switches.map((s) => switchId(s.scope));
    const { revision, before, changes } = await this.commit(
      env,
      ids,
      (current) => {
        const changes = new Map<string, SwitchState | null>();
        plan.switches.forEach((s, i) => {
          const spec = options.expiresAt !== undefined && s.mode !== 'off' ? { ...s, expiresAt: options.expiresAt } : s;
          changes.set(ids[i]!, this.nextState(ids[i]!, spec, current.get(ids[i]!) ?? null, ctx, name));
        });
        const nextPlan: SwitchPlan = {
          ...plan,
          status: 'active',
          executedAt: new Date(this.now()).toISOString(),
          executedBy: ctx.actor,
          before: Object.fromEntries(ids.map((id) => [id, current.get(id) ?? null])),
        };
        return { changes, extra: [{ type: 'setData', path: planPath, data: jsonData(nextPlan), version: planRead.version }] };
      },
      true,
    );
    const after = ids.map((id) => changes.get(id)!);
    await this.auditor.emit(ctx, 'switch.plan.execute', planPath, ids.map((id) => before.get(id) ?? null), after, { env, revision, plan: name, switches: ids });
    return { revision, switches: after.filter((s): s is SwitchState => s !== null) };
  }

  /** Restores the states from before the last execution in one multi (switches that did not exist are turned off). */
  async revertPlan(env: string, name: string, ctx: ChangeContext): Promise<SwitchSnapshot> {
    this.auditor.check(ctx, 'switch.plan.revert');
    const planPath = this.planPath(env, name);
    const planRead = await this.run((c) => readJson<SwitchPlan>(c, planPath));
    if (!planRead?.value) throw new PlanNotFoundError(env, name);
    const plan = planRead.value;
    if (plan.status !== 'active' || !plan.before) throw new SwitchConflictError(`plan ${name} is not active`);
    const saved = plan.before;
    const ids = Object.keys(saved);
    const { revision, before, changes } = await this.commit(
      env,
      ids,
      (current) => {
        const changes = new Map<string, SwitchState | null>();
        for (const id of ids) {
          const cur = current.get(id) ?? null;
          const old = saved[id] ?? null;
          const scope = old?.scope ?? cur?.scope ?? plan.switches.find((s) => switchId(s.scope) === id)?.scope;
          if (!scope) continue;
          const spec: SwitchSpec = old ? { scope, mode: old.mode, fallback: old.fallback, expiresAt: old.expiresAt ?? null } : { scope, mode: 'off' };
          changes.set(id, this.nextState(id, spec, cur, ctx));
        }
        const { before: _b, ...rest } = plan;
        const nextPlan: SwitchPlan = { ...rest, status: 'idle' };
        return { changes, extra: [{ type: 'setData', path: planPath, data: jsonData(nextPlan), version: planRead.version }] };
      },
      true,
    );
    const after = ids.map((id) => changes.get(id) ?? null);
    await this.auditor.emit(ctx, 'switch.plan.revert', planPath, ids.map((id) => before.get(id) ?? null), after, { env, revision, plan: name, switches: ids });
    return { revision, switches: after.filter((s): s is SwitchState => s !== null) };
  }

  // ------------------------------------------------------------------------------------- receipts

  async receipts(env: string): Promise<SwitchReceipt[]> {
    const dir = `${this.envPath(env)}/receipts`;
    return this.run(async (c) => {
      const out: SwitchReceipt[] = [];
      for (const name of await childrenOrEmpty(c, dir)) {
        const r = await readJson<SwitchReceipt>(c, `${dir}/${name}`).catch((e: unknown) => {
          if (e instanceof BadVersionError) return null;
          throw e;
        });
        if (r?.value) out.push(r.value);
      }
      return out.sort((a, b) => (a.clientId < b.clientId ? -1 : 1));
    });
  }

  /** Clients that have not applied `revision` yet (laggards). */
  async laggards(env: string, revision?: number): Promise<SwitchReceipt[]> {
    const target = revision ?? (await this.list(env)).revision;
    return (await this.receipts(env)).filter((r) => r.revision < target);
  }

  /** Active switches (mode on and not expired). */
  async active(env: string, now = this.now()): Promise<SwitchState[]> {
    return (await this.list(env)).switches.filter((s) => isActive(s, now));
  }
}
