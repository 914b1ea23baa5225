/**
 * Config center (operator side). Layout under the root (default `/paddock/config`):
 *
 *   {root}/{env}/{app}/{namespace}                live release (JSON {@link ConfigRelease}); clients watch it
 *   {root}/{env}/{app}/{namespace}/versions/{n}   every release ever published (10-digit n, never rewritten)
 *   {root}/{env}/{app}/{namespace}/draft          the working copy (JSON {@link ConfigDraft}), apart from live
 *   {root}/{env}/{app}/{namespace}/schema         optional JSON Schema (subset, see schema.ts)
 *   {root}/{env}/{app}/{namespace}/listeners/{id} ephemeral receipts of ConfigClients ({@link ListenerReceipt})
 *   {root}/{env}/{app}/{namespace}/gray           the active gray (canary) release, if any ({@link GrayRelease}:
 *                                                 id, content, rules); at most one per namespace
 *   {root}/{env}/{app}/{namespace}/scheduled/{id} scheduled publishes / gray starts / promotes (config-schedule.ts)
 *
 * Publishing is one multi: setData(live, release n, expected znode version) + create(versions/n) (+ delete of
 * the draft it came from, with its version). A concurrent publish, an `expectedRelease` that is not the live
 * one, or a draft edited meanwhile makes it fail with {@link ConfigConflictError} and nothing is written.
 * Rollback publishes the old content as a new release (`rollbackOf`); history is never rewritten.
 *
 * Gray releases: ConfigClients watch `gray` next to the live node and evaluate its rules for themselves
 * (gray-rules.ts), so this works over the plain client API (Apache ZooKeeper too). Every gray change (start, rules,
 * promote, abort) is one multi that also rewrites the live node with its own data at its expected version: the
 * live znode's version is the namespace's revision, so a main publish racing a gray change fails its CAS instead
 * of slipping past the "one gray at a time / no main publish during a gray" checks, and watchers of the live
 * node (the API's socket feed) hear about gray changes too. Promote = publish the gray content as release n+1 and
 * delete `gray` in the same multi; abort = delete `gray` (clients fall back to the live release on the watch).
 */
import { createHash } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { BadVersionError, NoNodeError, NodeExistsError, TransactionError, type Op, type ZooKeeperClient } from '@paddock/client';
import { toFramework, type ClientLike, type Framework } from '@paddock/recipes';
import { Auditor, MissingReasonError, type AuditEventType, type AuditPolicy, type AuditSink, type ChangeContext } from '../audit.js';
import { childrenOrEmpty, ensurePath, jsonData, pad10, parseJson, readJson } from '../zk.js';
import { diffLines, type DiffResult } from './diff.js';
import { checkGrayRules, type GrayRules } from './gray-rules.js';
import { SchemaDefinitionError, checkSchema, formatSchemaErrors, validateSchema, type JsonSchema, type SchemaError } from './schema.js';

export const DEFAULT_CONFIG_ROOT = '/paddock/config';

export type ConfigFormat = 'text' | 'json' | 'properties' | 'yaml';

export interface ConfigRef {
  env: string;
  app: string;
  namespace: string;
}

export interface ConfigRelease {
  release: number;
  content: string;
  format: ConfigFormat;
  md5: string;
  publishedAt: string;
  publishedBy: string;
  comment?: string;
  /** Set when this release restored an older one. */
  rollbackOf?: number;
  /** Set when this release is a promoted gray release (its id). */
  promotedGray?: string;
}

/** The active gray (canary) release of a namespace: the `gray` znode. */
export interface GrayRelease {
  id: string;
  /** The live release when the gray started. */
  baseRelease: number;
  content: string;
  format: ConfigFormat;
  md5: string;
  rules: GrayRules;
  startedAt: string;
  startedBy: string;
  updatedAt: string;
  updatedBy: string;
  comment?: string;
}

/** What a ConfigClient applied: a live release, or the gray content (then `gray` is set). */
export interface AppliedConfig extends ConfigRelease {
  /** Set when this is the namespace's gray version (its id); `release` is then the gray's base release. */
  gray?: string;
}

export interface GrayView {
  live: number;
  gray: (GrayRelease & { version: number }) | null;
  /** Every receipt, with what it holds: the active gray, the live release, or something older ("stale"). */
  listeners: Array<ListenerReceipt & { holds: 'gray' | 'main' | 'stale' }>;
}

export interface ConfigDraft {
  content: string;
  format: ConfigFormat;
  /** The live release the draft was started from (0: none). */
  baseRelease: number;
  author: string;
  updatedAt: string;
  comment?: string;
  /** znode version of the draft (for CAS on saveDraft). */
  version: number;
}

export interface ListenerReceipt {
  clientId: string;
  release: number;
  md5: string;
  appliedAt: string;
  host?: string;
  pid?: number;
  /** The gray release id when the client holds the gray version. */
  gray?: string;
  ip?: string;
  labels?: Record<string, string>;
}

export class ConfigConflictError extends Error {
  constructor(
    readonly ref: ConfigRef,
    readonly expected: number | undefined,
    readonly actual: number | undefined,
    detail: string,
  ) {
    super(`config ${refKey(ref)}: ${detail}`);
    this.name = 'ConfigConflictError';
  }
}

export class ConfigValidationError extends Error {
  constructor(
    readonly ref: ConfigRef,
    readonly errors: SchemaError[],
    message?: string,
  ) {
    super(message ?? `config ${refKey(ref)} does not match its schema: ${formatSchemaErrors(errors)}`);
    this.name = 'ConfigValidationError';
  }
}

export class ConfigNotFoundError extends Error {
  constructor(ref: ConfigRef, what: string) {
    super(`config ${refKey(ref)}: ${what} not found`);
    this.name = 'ConfigNotFoundError';
  }
}

export function refKey(ref: ConfigRef): string {
  return `${ref.env}/${ref.app}/${ref.namespace}`;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export function validateRef(ref: ConfigRef): void {
  for (const k of ['env', 'app', 'namespace'] as const) {
    const v = ref[k];
    if (typeof v !== 'string' || !NAME.test(v)) throw new RangeError(`bad ${k} name ${JSON.stringify(v)}`);
  }
}

export function configPath(root: string, ref: ConfigRef): string {
  validateRef(ref);
  return `${root}/${ref.env}/${ref.app}/${ref.namespace}`;
}

export function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** Validates content against a schema (JSON formats only; other formats must be JSON to be checked). */
export function validateContent(ref: ConfigRef, schema: JsonSchema | null, content: string): void {
  if (!schema) return;
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch (error) {
    throw new ConfigValidationError(ref, [{ path: '', keyword: 'json', message: 'is not JSON' }], `config ${refKey(ref)} has a schema but is not JSON: ${(error as Error).message}`);
  }
  const errors = validateSchema(schema, value);
  if (errors.length > 0) throw new ConfigValidationError(ref, errors);
}

export interface ConfigServiceOptions {
  audit?: AuditSink;
  policy?: AuditPolicy;
  root?: string;
  now?: () => number;
}

export interface PublishOptions {
  /** Publish this content; without it the draft is published (and deleted). */
  content?: string;
  format?: ConfigFormat;
  /** Fail unless the live release is this one (0: nothing published yet). */
  expectedRelease?: number;
  comment?: string;
  /** Publish although a gray release is active (it stays active; its clients keep the gray content). */
  force?: boolean;
  /** Ops committed in the same multi (the scheduler marks its entry executed there, so a retry publishes once). */
  atomicWith?: Op[];
}

export interface StartGrayOptions {
  /** The gray content; without it the draft is used (and deleted). */
  content?: string;
  format?: ConfigFormat;
  rules: GrayRules;
  comment?: string;
  /** Fail unless the live release is this one. */
  expectedRelease?: number;
  /** The gray id (default generated; the scheduler derives it from its entry). */
  id?: string;
  atomicWith?: Op[];
}

export interface PromoteGrayOptions {
  /** Fail unless the active gray is this one. */
  grayId?: string;
  /** Fail unless the live release is this one. */
  expectedRelease?: number;
  comment?: string;
  atomicWith?: Op[];
}

export class ConfigService {
  private readonly framework: Framework;
  private readonly auditor: Auditor;
  readonly root: string;
  private readonly now: () => number;

  constructor(client: ClientLike, options: ConfigServiceOptions = {}) {
    this.framework = toFramework(client);
    this.now = options.now ?? Date.now;
    this.auditor = new Auditor(options.audit, options.policy, () => new Date(this.now()));
    this.root = options.root ?? DEFAULT_CONFIG_ROOT;
  }

  private run<T>(fn: (c: ZooKeeperClient) => Promise<T>): Promise<T> {
    return this.framework.run(fn);
  }

  path(ref: ConfigRef): string {
    return configPath(this.root, ref);
  }

  listEnvs(): Promise<string[]> {
    return this.run((c) => childrenOrEmpty(c, this.root)).then((l) => l.sort());
  }
  listApps(env: string): Promise<string[]> {
    return this.run((c) => childrenOrEmpty(c, `${this.root}/${env}`)).then((l) => l.sort());
  }
  listNamespaces(env: string, app: string): Promise<string[]> {
    return this.run((c) => childrenOrEmpty(c, `${this.root}/${env}/${app}`)).then((l) => l.sort());
  }

  /** The live release (null: never published). */
  async get(ref: ConfigRef): Promise<ConfigRelease | null> {
    return (await this.run((c) => readJson<ConfigRelease>(c, this.path(ref))))?.value ?? null;
  }

  private async live(c: ZooKeeperClient, ref: ConfigRef): Promise<{ release: ConfigRelease | null; version: number }> {
    const r = await readJson<ConfigRelease>(c, this.path(ref));
    return { release: r?.value ?? null, version: r?.version ?? -1 };
  }

  // ------------------------------------------------------------------------------------- drafts

  async getDraft(ref: ConfigRef): Promise<ConfigDraft | null> {
    const r = await this.run((c) => readJson<Omit<ConfigDraft, 'version'>>(c, `${this.path(ref)}/draft`));
    return r && r.value ? { ...r.value, version: r.version } : null;
  }

  /** Saves the working copy; `expectedVersion` (the draft's znode version, -1 for "no draft yet") guards against lost edits. */
  async saveDraft(ref: ConfigRef, content: string, ctx: ChangeContext, options: { format?: ConfigFormat; comment?: string; expectedVersion?: number } = {}): Promise<ConfigDraft> {
    this.auditor.check(ctx, 'config.draft.save');
    const path = `${this.path(ref)}/draft`;
    const result = await this.run(async (c) => {
      const before = await readJson<Omit<ConfigDraft, 'version'>>(c, path);
      if (options.expectedVersion !== undefined && (before?.version ?? -1) !== options.expectedVersion) {
        throw new ConfigConflictError(ref, options.expectedVersion, before?.version ?? -1, `draft changed meanwhile (version ${before?.version ?? 'none'})`);
      }
      const live = await this.live(c, ref);
      const draft: Omit<ConfigDraft, 'version'> = {
        content,
        format: options.format ?? before?.value.format ?? live.release?.format ?? 'text',
        baseRelease: before?.value.baseRelease ?? live.release?.release ?? 0,
        author: ctx.actor,
        updatedAt: new Date(this.now()).toISOString(),
        ...(options.comment !== undefined ? { comment: options.comment } : {}),
      };
      let version: number;
      try {
        if (before) version = (await c.setData(path, jsonData(draft), before.version)).version;
        else {
          await ensurePath(c, this.path(ref));
          await c.create(path, jsonData(draft));
          version = 0;
        }
      } catch (error) {
        if (error instanceof BadVersionError || error instanceof NodeExistsError) throw new ConfigConflictError(ref, before?.version, undefined, 'draft changed meanwhile');
        throw error;
      }
      return { before: before?.value ?? null, draft: { ...draft, version } };
    });
    await this.auditor.emit(ctx, 'config.draft.save', path, result.before, result.draft);
    return result.draft;
  }

  async discardDraft(ref: ConfigRef, ctx: ChangeContext): Promise<boolean> {
    this.auditor.check(ctx, 'config.draft.discard');
    const path = `${this.path(ref)}/draft`;
    const before = await this.getDraft(ref);
    if (!before) return false;
    try {
      await this.run((c) => c.delete(path, before.version));
    } catch (error) {
      if (error instanceof NoNodeError) return false;
      throw error;
    }
    await this.auditor.emit(ctx, 'config.draft.discard', path, before, null);
    return true;
  }

  /** Diff live -> draft (what publishing the draft would change). */
  async diffDraft(ref: ConfigRef): Promise<DiffResult> {
    const [live, draft] = await Promise.all([this.get(ref), this.getDraft(ref)]);
    if (!draft) throw new ConfigNotFoundError(ref, 'draft');
    return diffLines(live?.content ?? '', draft.content);
  }

  // ------------------------------------------------------------------------------------- publish

  async getSchema(ref: ConfigRef): Promise<JsonSchema | null> {
    return (await this.run((c) => readJson<JsonSchema>(c, `${this.path(ref)}/schema`)))?.value ?? null;
  }

  /** Sets (or with null removes) the namespace's schema; the live content must satisfy a new schema. */
  async setSchema(ref: ConfigRef, schema: JsonSchema | null, ctx: ChangeContext): Promise<void> {
    this.auditor.check(ctx, 'config.schema.set');
    if (schema) {
      const problems = checkSchema(schema);
      if (problems.length > 0) throw new SchemaDefinitionError(problems);
      const live = await this.get(ref);
      if (live) validateContent(ref, schema, live.content);
    }
    const path = `${this.path(ref)}/schema`;
    const before = await this.getSchema(ref);
    await this.run(async (c) => {
      if (schema === null) {
        await c.delete(path).catch((e: unknown) => {
          if (!(e instanceof NoNodeError)) throw e;
        });
        return;
      }
      try {
        await c.setData(path, jsonData(schema));
      } catch (error) {
        if (!(error instanceof NoNodeError)) throw error;
        await ensurePath(c, this.path(ref));
        await c.create(path, jsonData(schema));
      }
    });
    await this.auditor.emit(ctx, 'config.schema.set', path, before, schema);
  }

  /** Publishes a new release (CAS). See the class comment. */
  async publish(ref: ConfigRef, ctx: ChangeContext, options: PublishOptions = {}): Promise<ConfigRelease> {
    return this.publishInternal(ref, ctx, options, 'config.publish');
  }

  private async publishInternal(ref: ConfigRef, ctx: ChangeContext, options: PublishOptions & { rollbackOf?: number }, type: 'config.publish' | 'config.rollback'): Promise<ConfigRelease> {
    this.auditor.check(ctx, type);
    const path = this.path(ref);
    const outcome = await this.run(async (c) => {
      const live = await this.live(c, ref);
      const current = live.release?.release ?? 0;
      if (options.expectedRelease !== undefined && options.expectedRelease !== current) {
        throw new ConfigConflictError(ref, options.expectedRelease, current, `expected release ${options.expectedRelease}, live is ${current}`);
      }
      if (!options.force) {
        const gray = await readJson<GrayRelease>(c, `${path}/gray`);
        if (gray?.value) throw new ConfigConflictError(ref, current, current, `gray release ${gray.value.id} is active; promote or abort it first, or publish with force`);
      }
      let content = options.content;
      let format = options.format;
      let comment = options.comment;
      const ops: Op[] = [];
      if (content === undefined) {
        const draft = await readJson<Omit<ConfigDraft, 'version'>>(c, `${path}/draft`);
        if (!draft?.value) throw new ConfigNotFoundError(ref, 'draft');
        if (options.expectedRelease === undefined && draft.value.baseRelease !== current) {
          throw new ConfigConflictError(ref, draft.value.baseRelease, current, `the draft is based on release ${draft.value.baseRelease}, live is ${current}; re-base it or pass expectedRelease`);
        }
        content = draft.value.content;
        format ??= draft.value.format;
        comment ??= draft.value.comment;
        ops.push({ type: 'delete', path: `${path}/draft`, version: draft.version });
      }
      const release = await this.commitRelease(c, ref, live, ctx, { content, ...(format ? { format } : {}), ...(comment !== undefined ? { comment } : {}), ...(options.rollbackOf !== undefined ? { rollbackOf: options.rollbackOf } : {}) }, [...ops, ...(options.atomicWith ?? [])]);
      return { before: live.release, release };
    });
    await this.auditor.emit(ctx, type, path, outcome.before, outcome.release, { release: outcome.release.release, ...(options.rollbackOf !== undefined ? { rollbackOf: options.rollbackOf } : {}) });
    return outcome.release;
  }

  /** Writes release n+1 (live + versions/n, schema-checked) in one multi with `ops`; CAS on the live node. */
  private async commitRelease(
    c: ZooKeeperClient,
    ref: ConfigRef,
    live: { release: ConfigRelease | null; version: number },
    ctx: ChangeContext,
    what: { content: string; format?: ConfigFormat; comment?: string; rollbackOf?: number; promotedGray?: string },
    ops: Op[],
  ): Promise<ConfigRelease> {
    const path = this.path(ref);
    const current = live.release?.release ?? 0;
    const schema = (await readJson<JsonSchema>(c, `${path}/schema`))?.value ?? null;
    validateContent(ref, schema, what.content);
    const release: ConfigRelease = {
      release: current + 1,
      content: what.content,
      format: what.format ?? live.release?.format ?? 'text',
      md5: md5(what.content),
      publishedAt: new Date(this.now()).toISOString(),
      publishedBy: ctx.actor,
      ...(what.comment !== undefined ? { comment: what.comment } : {}),
      ...(what.rollbackOf !== undefined ? { rollbackOf: what.rollbackOf } : {}),
      ...(what.promotedGray !== undefined ? { promotedGray: what.promotedGray } : {}),
    };
    const data = jsonData(release);
    const head: Op[] = [];
    if (live.version < 0) {
      await ensurePath(c, path.slice(0, path.lastIndexOf('/')));
      // listeners/ exists before any client can apply the release (its parent may be write-protected by ACL)
      head.push({ type: 'create', path, data }, { type: 'create', path: `${path}/versions` }, { type: 'create', path: `${path}/listeners` });
    } else {
      head.push({ type: 'setData', path, data, version: live.version });
      if (!(await c.exists(`${path}/versions`))) head.push({ type: 'create', path: `${path}/versions` });
      if (!(await c.exists(`${path}/listeners`))) head.push({ type: 'create', path: `${path}/listeners` });
    }
    head.push({ type: 'create', path: `${path}/versions/${pad10(release.release)}`, data });
    await this.multi(c, ref, current, [...head, ...ops]);
    return release;
  }

  /** A multi whose version / existence failures become {@link ConfigConflictError} (nothing was written). */
  private async multi(c: ZooKeeperClient, ref: ConfigRef, current: number, ops: Op[]): Promise<void> {
    try {
      await c.multi(ops);
    } catch (error) {
      if (error instanceof TransactionError && [-101, -103, -110].includes(error.code)) {
        const now = await this.live(c, ref);
        throw new ConfigConflictError(ref, current, now.release?.release ?? 0, `concurrent change (${error.codeName} at ${error.path ?? '?'}); live is now release ${now.release?.release ?? 0}`);
      }
      throw error;
    }
  }

  // ------------------------------------------------------------------------------------- gray releases

  /** The active gray release (null: none). */
  async getGray(ref: ConfigRef): Promise<(GrayRelease & { version: number }) | null> {
    const r = await this.run((c) => readJson<GrayRelease>(c, `${this.path(ref)}/gray`));
    return r?.value ? { ...r.value, version: r.version } : null;
  }

  private grayCheck(ctx: ChangeContext, type: AuditEventType): void {
    this.auditor.check(ctx, type);
    // canaries are deliberate operations: always say why
    if (!(ctx.reason && ctx.reason.trim())) throw new MissingReasonError(type);
  }

  /** The live node rewritten with its own data at its expected version (see the class comment). */
  private touchLive(ref: ConfigRef, live: { release: ConfigRelease | null; version: number }): Op {
    return { type: 'setData', path: this.path(ref), data: jsonData(live.release), version: live.version };
  }

  private async liveOrThrow(c: ZooKeeperClient, ref: ConfigRef): Promise<{ release: ConfigRelease; version: number }> {
    const live = await this.live(c, ref);
    if (!live.release) throw new ConfigNotFoundError(ref, 'live release (publish a main version before a gray one)');
    return { release: live.release, version: live.version };
  }

  private async grayOrThrow(c: ZooKeeperClient, ref: ConfigRef, expectedId?: string): Promise<{ value: GrayRelease; version: number }> {
    const gray = await readJson<GrayRelease>(c, `${this.path(ref)}/gray`);
    if (!gray?.value) throw new ConfigNotFoundError(ref, 'gray release');
    if (expectedId !== undefined && gray.value.id !== expectedId) throw new ConfigConflictError(ref, undefined, undefined, `the active gray release is ${gray.value.id}, not ${expectedId}`);
    return { value: gray.value, version: gray.version };
  }

  /** Starts a gray release: the content (or the draft) goes to the clients the rules select; one per namespace. */
  async startGray(ref: ConfigRef, ctx: ChangeContext, options: StartGrayOptions): Promise<GrayRelease & { version: number }> {
    this.grayCheck(ctx, 'config.gray.start');
    const rules = checkGrayRules(options.rules);
    const path = this.path(ref);
    const gray = await this.run(async (c) => {
      const live = await this.liveOrThrow(c, ref);
      if (options.expectedRelease !== undefined && options.expectedRelease !== live.release.release) {
        throw new ConfigConflictError(ref, options.expectedRelease, live.release.release, `expected release ${options.expectedRelease}, live is ${live.release.release}`);
      }
      const existing = await readJson<GrayRelease>(c, `${path}/gray`);
      if (existing?.value) throw new ConfigConflictError(ref, undefined, undefined, `gray release ${existing.value.id} is already active; promote or abort it first`);
      let content = options.content;
      let format = options.format;
      let comment = options.comment;
      const ops: Op[] = [];
      if (content === undefined) {
        const draft = await readJson<Omit<ConfigDraft, 'version'>>(c, `${path}/draft`);
        if (!draft?.value) throw new ConfigNotFoundError(ref, 'draft');
        content = draft.value.content;
        format ??= draft.value.format;
        comment ??= draft.value.comment;
        ops.push({ type: 'delete', path: `${path}/draft`, version: draft.version });
      }
      validateContent(ref, (await readJson<JsonSchema>(c, `${path}/schema`))?.value ?? null, content);
      const at = new Date(this.now()).toISOString();
      const value: GrayRelease = {
        id: options.id ?? `g${live.release.release}-${randomUUID().slice(0, 8)}`,
        baseRelease: live.release.release,
        content,
        format: format ?? live.release.format,
        md5: md5(content),
        rules,
        startedAt: at,
        startedBy: ctx.actor,
        updatedAt: at,
        updatedBy: ctx.actor,
        ...(comment !== undefined ? { comment } : {}),
      };
      await this.multi(c, ref, live.release.release, [this.touchLive(ref, live), { type: 'create', path: `${path}/gray`, data: jsonData(value) }, ...ops, ...(options.atomicWith ?? [])]);
      return { ...value, version: 0 };
    });
    const { version: _v, ...after } = gray;
    await this.auditor.emit(ctx, 'config.gray.start', `${path}/gray`, null, after, { grayId: gray.id, baseRelease: gray.baseRelease });
    return gray;
  }

  /** Changes which clients get the active gray (e.g. widen 10% -> 50%). */
  async updateGrayRules(ref: ConfigRef, rules: GrayRules, ctx: ChangeContext, options: { grayId?: string } = {}): Promise<GrayRelease & { version: number }> {
    this.grayCheck(ctx, 'config.gray.rules');
    checkGrayRules(rules);
    const path = this.path(ref);
    const outcome = await this.run(async (c) => {
      const live = await this.liveOrThrow(c, ref);
      const gray = await this.grayOrThrow(c, ref, options.grayId);
      const value: GrayRelease = { ...gray.value, rules, updatedAt: new Date(this.now()).toISOString(), updatedBy: ctx.actor };
      await this.multi(c, ref, live.release.release, [this.touchLive(ref, live), { type: 'setData', path: `${path}/gray`, data: jsonData(value), version: gray.version }]);
      return { before: gray.value, after: { ...value, version: gray.version + 1 } };
    });
    await this.auditor.emit(ctx, 'config.gray.rules', `${path}/gray`, outcome.before.rules, rules, { grayId: outcome.before.id });
    return outcome.after;
  }

  /** The gray content becomes the next live release (CAS publish with history); the gray node goes in the same multi. */
  async promoteGray(ref: ConfigRef, ctx: ChangeContext, options: PromoteGrayOptions = {}): Promise<ConfigRelease> {
    this.grayCheck(ctx, 'config.gray.promote');
    const path = this.path(ref);
    const outcome = await this.run(async (c) => {
      const live = await this.liveOrThrow(c, ref);
      if (options.expectedRelease !== undefined && options.expectedRelease !== live.release.release) {
        throw new ConfigConflictError(ref, options.expectedRelease, live.release.release, `expected release ${options.expectedRelease}, live is ${live.release.release}`);
      }
      const gray = await this.grayOrThrow(c, ref, options.grayId);
      const release = await this.commitRelease(
        c,
        ref,
        live,
        ctx,
        { content: gray.value.content, format: gray.value.format, comment: options.comment ?? gray.value.comment ?? `promoted gray ${gray.value.id}`, promotedGray: gray.value.id },
        [{ type: 'delete', path: `${path}/gray`, version: gray.version }, ...(options.atomicWith ?? [])],
      );
      return { before: { live: live.release, gray: gray.value }, release };
    });
    await this.auditor.emit(ctx, 'config.gray.promote', path, outcome.before, outcome.release, { release: outcome.release.release, grayId: outcome.before.gray.id });
    return outcome.release;
  }

  /** Ends the gray release: its clients fall back to the live release on their next watch event. */
  async abortGray(ref: ConfigRef, ctx: ChangeContext, options: { grayId?: string } = {}): Promise<GrayRelease> {
    this.grayCheck(ctx, 'config.gray.abort');
    const path = this.path(ref);
    const gray = await this.run(async (c) => {
      const live = await this.liveOrThrow(c, ref);
      const g = await this.grayOrThrow(c, ref, options.grayId);
      await this.multi(c, ref, live.release.release, [this.touchLive(ref, live), { type: 'delete', path: `${path}/gray`, version: g.version }]);
      return g.value;
    });
    await this.auditor.emit(ctx, 'config.gray.abort', `${path}/gray`, gray, null, { grayId: gray.id });
    return gray;
  }

  /** The gray release and which clients hold it vs the live release. */
  async grayView(ref: ConfigRef): Promise<GrayView> {
    const [live, gray, receipts] = await Promise.all([this.get(ref), this.getGray(ref), this.listeners(ref)]);
    const current = live?.release ?? 0;
    return {
      live: current,
      gray,
      listeners: receipts.map((r) => ({ ...r, holds: gray && r.gray === gray.id ? 'gray' : !r.gray && r.release === current && r.md5 === live?.md5 ? 'main' : 'stale' })),
    };
  }

  // ------------------------------------------------------------------------------------- history

  async history(ref: ConfigRef): Promise<ConfigRelease[]> {
    const dir = `${this.path(ref)}/versions`;
    return this.run(async (c) => {
      const out: ConfigRelease[] = [];
      for (const name of (await childrenOrEmpty(c, dir)).sort()) {
        const r = await readJson<ConfigRelease>(c, `${dir}/${name}`);
        if (r?.value) out.push(r.value);
      }
      return out;
    });
  }

  async getRelease(ref: ConfigRef, release: number): Promise<ConfigRelease> {
    const r = await this.run((c) => readJson<ConfigRelease>(c, `${this.path(ref)}/versions/${pad10(release)}`));
    if (!r?.value) throw new ConfigNotFoundError(ref, `release ${release}`);
    return r.value;
  }

  /** Line diff between two releases of one namespace. */
  async diff(ref: ConfigRef, fromRelease: number, toRelease: number): Promise<DiffResult> {
    const [a, b] = await Promise.all([this.getRelease(ref, fromRelease), this.getRelease(ref, toRelease)]);
    return diffLines(a.content, b.content);
  }

  /** Any release (default live) of any namespace against any other, e.g. env A vs env B. */
  async compare(a: ConfigRef & { release?: number }, b: ConfigRef & { release?: number }): Promise<DiffResult> {
    const read = async (r: ConfigRef & { release?: number }) => (r.release === undefined ? ((await this.get(r))?.content ?? '') : (await this.getRelease(r, r.release)).content);
    const [x, y] = await Promise.all([read(a), read(b)]);
    return diffLines(x, y);
  }

  /** Publishes the content of an older release as a new release. */
  async rollback(ref: ConfigRef, toRelease: number, ctx: ChangeContext, options: { expectedRelease?: number; comment?: string; force?: boolean } = {}): Promise<ConfigRelease> {
    const target = await this.getRelease(ref, toRelease);
    return this.publishInternal(
      ref,
      ctx,
      { content: target.content, format: target.format, comment: options.comment ?? `rollback to release ${toRelease}`, rollbackOf: toRelease, ...(options.expectedRelease !== undefined ? { expectedRelease: options.expectedRelease } : {}), ...(options.force ? { force: true } : {}) },
      'config.rollback',
    );
  }

  // ------------------------------------------------------------------------------------- listeners

  /** Which clients hold which release (their ephemeral receipts). */
  async listeners(ref: ConfigRef): Promise<ListenerReceipt[]> {
    const dir = `${this.path(ref)}/listeners`;
    return this.run(async (c) => {
      const out: ListenerReceipt[] = [];
      for (const name of await childrenOrEmpty(c, dir)) {
        try {
          const { data } = await c.getData(`${dir}/${name}`);
          const r = parseJson<ListenerReceipt>(data);
          if (r) out.push(r);
        } catch (error) {
          if (!(error instanceof NoNodeError)) throw error;
        }
      }
      return out.sort((x, y) => (x.clientId < y.clientId ? -1 : 1));
    });
  }
}
