/** Mirrors every published config release into `config_versions` (queryable history next to the audit stream). */
import type { AuditEvent, ConfigRelease } from '@paddock/platform';
import type { Database } from './database.js';

export class ConfigVersionsRepository {
  constructor(
    private readonly db: Database,
    private readonly configRoot: string,
  ) {}

  /** Audit listener: records config.publish / config.rollback / config.gray.promote releases. */
  async onAudit(event: AuditEvent): Promise<void> {
    if (event.type !== 'config.publish' && event.type !== 'config.rollback' && event.type !== 'config.gray.promote') return;
    const release = event.after as ConfigRelease | null;
    const rel = event.path.startsWith(this.configRoot + '/') ? event.path.slice(this.configRoot.length + 1).split('/') : [];
    if (!release || rel.length !== 3) return;
    const [env, app, namespace] = rel as [string, string, string];
    await this.db.configVersion.upsert({
      where: { env_app_namespace_release: { env, app, namespace, release: release.release } },
      update: {},
      create: {
        env,
        app,
        namespace,
        release: release.release,
        format: release.format,
        md5: release.md5,
        content: release.content,
        publishedAt: release.publishedAt,
        publishedBy: release.publishedBy,
        comment: release.comment ?? null,
        rollbackOf: release.rollbackOf ?? null,
      },
    });
  }

  list(env: string, app: string, namespace: string) {
    return this.db.configVersion.findMany({ where: { env, app, namespace }, orderBy: { release: 'desc' } });
  }
}
