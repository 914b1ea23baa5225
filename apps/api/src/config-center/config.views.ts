/** The config center's use cases over ConfigService (validated refs, plain JSON answers). */
import { ConfigService, type ChangeContext, type ConfigFormat, type ConfigRef, type GrayRules } from '@paddock/platform';
import type { ConfigNamespaceView } from '@paddock/platform/contracts';
import { AppError } from '../errors.js';
import { RefParams } from './config.dto.js';

export function ref(p: unknown): ConfigRef {
  const r = RefParams.safeParse(p);
  if (!r.success) throw new AppError('invalid', r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}

export class ConfigViews {
  constructor(private readonly config: ConfigService) {}

  async tree() {
    const out: ConfigRef[] = [];
    for (const env of await this.config.listEnvs()) for (const app of await this.config.listApps(env)) for (const namespace of await this.config.listNamespaces(env, app)) out.push({ env, app, namespace });
    return { namespaces: out };
  }

  async get(p: unknown): Promise<ConfigNamespaceView> {
    const r = ref(p);
    const [live, draft, schema] = await Promise.all([this.config.get(r), this.config.getDraft(r), this.config.getSchema(r)]);
    return { ...r, live, draft, schema };
  }

  saveDraft(p: unknown, b: { content: string; format?: ConfigFormat | undefined; comment?: string | undefined; expectedVersion?: number | undefined }, ctx: ChangeContext) {
    return this.config.saveDraft(ref(p), b.content, ctx, { ...(b.format ? { format: b.format } : {}), ...(b.comment ? { comment: b.comment } : {}), ...(b.expectedVersion !== undefined ? { expectedVersion: b.expectedVersion } : {}) });
  }

  async discardDraft(p: unknown, ctx: ChangeContext) {
    return { discarded: await this.config.discardDraft(ref(p), ctx) };
  }

  publish(p: unknown, b: { content?: string | undefined; format?: ConfigFormat | undefined; expectedRelease?: number | undefined; comment?: string | undefined; force?: boolean | undefined }, ctx: ChangeContext) {
    return this.config.publish(ref(p), ctx, {
      ...(b.content !== undefined ? { content: b.content } : {}),
      ...(b.format ? { format: b.format } : {}),
      ...(b.expectedRelease !== undefined ? { expectedRelease: b.expectedRelease } : {}),
      ...(b.comment ? { comment: b.comment } : {}),
      ...(b.force ? { force: true } : {}),
    });
  }

  async history(p: unknown) {
    return { releases: await this.config.history(ref(p)) };
  }

  diff(p: unknown, from: number, to: number) {
    return this.config.diff(ref(p), from, to);
  }

  rollback(p: unknown, b: { toRelease: number; expectedRelease?: number | undefined; comment?: string | undefined; force?: boolean | undefined }, ctx: ChangeContext) {
    return this.config.rollback(ref(p), b.toRelease, ctx, { ...(b.expectedRelease !== undefined ? { expectedRelease: b.expectedRelease } : {}), ...(b.comment ? { comment: b.comment } : {}), ...(b.force ? { force: true } : {}) });
  }

  // gray (canary) releases

  /** The active gray, and which clients hold it vs the live release. */
  gray(p: unknown) {
    return this.config.grayView(ref(p));
  }

  startGray(p: unknown, b: { content?: string | undefined; format?: ConfigFormat | undefined; rules: GrayRules; comment?: string | undefined; expectedRelease?: number | undefined }, ctx: ChangeContext) {
    return this.config.startGray(ref(p), ctx, {
      rules: stripUndefined(b.rules),
      ...(b.content !== undefined ? { content: b.content } : {}),
      ...(b.format ? { format: b.format } : {}),
      ...(b.comment ? { comment: b.comment } : {}),
      ...(b.expectedRelease !== undefined ? { expectedRelease: b.expectedRelease } : {}),
    });
  }

  updateGrayRules(p: unknown, b: { rules: GrayRules; grayId?: string | undefined }, ctx: ChangeContext) {
    return this.config.updateGrayRules(ref(p), stripUndefined(b.rules), ctx, b.grayId ? { grayId: b.grayId } : {});
  }

  promoteGray(p: unknown, b: { grayId?: string | undefined; expectedRelease?: number | undefined; comment?: string | undefined }, ctx: ChangeContext) {
    return this.config.promoteGray(ref(p), ctx, { ...(b.grayId ? { grayId: b.grayId } : {}), ...(b.expectedRelease !== undefined ? { expectedRelease: b.expectedRelease } : {}), ...(b.comment ? { comment: b.comment } : {}) });
  }

  async abortGray(p: unknown, b: { grayId?: string | undefined }, ctx: ChangeContext) {
    return { aborted: await this.config.abortGray(ref(p), ctx, b.grayId ? { grayId: b.grayId } : {}) };
  }

  async listeners(p: unknown) {
    return { listeners: await this.config.listeners(ref(p)) };
  }
}

/** zod's optional fields come back as present-but-undefined keys; the rules are stored as given. */
function stripUndefined(rules: GrayRules): GrayRules {
  return Object.fromEntries(Object.entries(rules).filter(([, v]) => v !== undefined)) as GrayRules;
}
