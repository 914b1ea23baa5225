/**
 * Assembles the API: store (embedded member or external ensemble), database (+ migrations), Redis (+ private
 * redis-server), the platform services writing to the persisted audit sink, jobs, and the Nest app
 * (Fastify + socket.io). `close()` stops everything in reverse order.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { parseConnectString } from '@paddock/client';
import { ConfigScheduler, ConfigService, DataSyncMaster, DataSyncService, LogCenterMaster, LogCenterService, RegistryService, SwitchService, fourLetterSessionProbe, DEFAULT_CONFIG_ROOT, DEFAULT_DUBBO_ROOT, DEFAULT_SWITCH_ROOT } from '@paddock/platform';
import { ensurePath, toFramework } from '@paddock/recipes';
import { Redis } from 'ioredis';
import { AppModule, CONTROLLERS } from './app.module.js';
import { AuditRepository } from './audit/audit.repository.js';
import { AuthRepository } from './auth/auth.repository.js';
import { AuthService } from './auth/auth.service.js';
import { DEFAULT_THROTTLE_TIMEOUT_MS, LoginThrottle, loginThrottleRedis } from './auth/login-throttle.js';
import { ConfigScheduleViews } from './config-center/config-schedule.views.js';
import { ScheduledChangesJobs } from './config-center/scheduled-changes.jobs.js';
import { ConfigViews } from './config-center/config.views.js';
import { DataSyncViews } from './data-sync/data-sync.views.js';
import { EventsBridge } from './events/events.gateway.js';
import { EventsHub } from './events/events-hub.js';
import { HealthService } from './health/health.service.js';
import { OpenApiDocument, buildOpenApi } from './http/openapi.js';
import { JobsService } from './jobs/jobs.service.js';
import { LogCenterViews } from './log-center/log-center.views.js';
import { ConfigVersionsRepository } from './persistence/config-versions.repository.js';
import { openDatabase } from './persistence/database.js';
import { migrate } from './persistence/migrator.js';
import { RegistryViews, ZombieReports } from './registry/registry.views.js';
import type { ApiConfig } from './runtime/api-config.js';
import { connectRedis } from './runtime/redis.js';
import { openStore } from './runtime/store.js';
import { enforceAclPolicy, loadDigestCredential, platformAcl, secureExistingNodes } from './runtime/zk-acl.js';
import { SwitchScheduler } from './switches/switch-schedule.js';
import { SwitchScheduleViews } from './switches/switch-schedule.views.js';
import { SwitchViews } from './switches/switches.views.js';
import { webhookSettingsFromEnv } from './webhooks/webhook-config.js';
import { WebhookDeliveryQueue } from './webhooks/webhook-delivery.queue.js';
import { WebhooksRepository } from './webhooks/webhooks.repository.js';
import { WebhooksService } from './webhooks/webhooks.service.js';
import { ZnodeService } from './znodes/znode.service.js';

export interface RunningApi {
  url: string;
  port: number;
  storeConnect: string;
  storePort: number | undefined;
  redis: string;
  database: string;
  close(): Promise<void>;
}

export async function startApi(config: ApiConfig): Promise<RunningApi> {
  const logger = new Logger('paddock-api');
  const log = (line: string) => console.log(`${new Date().toISOString()} [paddock-api] ${line}`);
  const closers: Array<() => Promise<unknown> | unknown> = [];
  const close = async () => {
    for (const c of closers.reverse()) {
      try {
        await c();
      } catch (error) {
        logger.warn(`shutdown: ${(error as Error).message}`);
      }
    }
    closers.length = 0;
  };
  try {
    mkdirSync(config.dataDir, { recursive: true });
    const credential = loadDigestCredential(config.zkDigest, config.dataDir, log);
    const store = await openStore({ connect: config.connect, port: config.storePort, tickMs: config.storeTickMs, configFile: config.storeConfigFile, dataDir: config.dataDir, log, digest: credential.auth });
    closers.push(() => store.close());
    // the platform's own znodes: world-readable, writable only by this digest identity (see runtime/zk-acl.ts)
    const aclRoots = { configRoot: DEFAULT_CONFIG_ROOT, switchRoot: DEFAULT_SWITCH_ROOT, dubboRoot: DEFAULT_DUBBO_ROOT };
    const aclPolicy = platformAcl(credential, aclRoots);
    enforceAclPolicy(store.client, aclPolicy);
    for (const root of [aclRoots.configRoot, aclRoots.switchRoot]) await ensurePath(store.client, root);
    const secured = await secureExistingNodes(store.client, aclPolicy, aclRoots, log);
    log(`platform znodes owned by digest user ${credential.user}${secured > 0 ? ` (ACL set on ${secured} existing nodes)` : ''}`);
    const framework = toFramework(store.client);

    const { db, provider, describe: database } = openDatabase(config.databaseUrl);
    closers.push(() => db.$disconnect());
    await migrate(db, provider, undefined, log);

    const redisEndpoint = await connectRedis(config.redisUrl, config.dataDir, log);
    closers.push(() => redisEndpoint.close());
    const connection = { host: redisEndpoint.host, port: redisEndpoint.port, maxRetriesPerRequest: null, ...(redisEndpoint.username ? { username: redisEndpoint.username } : {}), ...(redisEndpoint.password ? { password: redisEndpoint.password } : {}), ...(redisEndpoint.db !== undefined ? { db: redisEndpoint.db } : {}) };
    const redis = new Redis({ ...connection, lazyConnect: true });
    redis.on('error', () => undefined);
    await redis.connect();
    closers.push(() => redis.quit());
    // the login brute-force brake: its state in this same Redis, so every instance sees every failure
    const throttleOptions = LoginThrottle.optionsFromEnv();
    const throttleRedis = loginThrottleRedis(connection, throttleOptions.timeoutMs ?? DEFAULT_THROTTLE_TIMEOUT_MS);
    await throttleRedis.connect();
    closers.push(() => throttleRedis.quit());
    const loginThrottle = new LoginThrottle(throttleRedis, throttleOptions);

    const audit = new AuditRepository(db);
    const registry = new RegistryService(framework, { audit });
    const configs = new ConfigService(framework, { audit });
    const switches = new SwitchService(framework, { audit });
    // log-center / data-sync: operator changes need a reason; the masters' decisions are audited as system actors
    const logCenter = new LogCenterService(framework, { audit, policy: { requireReason: true } });
    const dataSync = new DataSyncService(framework, { audit, policy: { requireReason: true } });
    const versions = new ConfigVersionsRepository(db, configs.root);
    audit.events.on('stored', (e) => void versions.onAudit(e).catch((error: unknown) => logger.warn(`config version mirror: ${(error as Error).message}`)));

    const reports = new ZombieReports();
    const servers = parseConnectString(store.connectString).hosts.map((h) => `${h.host}:${h.port}`);
    const jobs = new JobsService({
      connection,
      switches,
      registry,
      listSwitchEnvs: async () => (await framework.run((c) => c.getChildren(switches.root).catch(() => [] as string[]))).filter((e) => /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(e)),
      probe: fourLetterSessionProbe(servers),
      reports,
      zombieScanMs: config.zombieScanMs,
      reconcileMs: config.reconcileMs,
      log,
    });
    await jobs.start();
    closers.push(() => jobs.close());
    audit.events.on('stored', jobs.onAudit);

    // scheduled config and switch changes (own queue; entries live in the store, executed as system:scheduler)
    const configScheduler = new ConfigScheduler(framework, configs, { audit });
    const switchScheduler = new SwitchScheduler(framework, switches, { audit });
    const scheduledChanges = new ScheduledChangesJobs({ config: configScheduler, switches: switchScheduler, connection, log });
    await scheduledChanges.start();
    closers.push(() => scheduledChanges.close());

    // webhook deliveries (own queue): stored audit events fan out to the matching subscriptions (an outbox walk
    // over the audit table, caught up at start-up and by a periodic sweep job that also prunes old deliveries)
    const webhookSettings = webhookSettingsFromEnv();
    const webhookRepository = new WebhooksRepository(db);
    const webhookQueue = new WebhookDeliveryQueue({ connection, repository: webhookRepository, settings: webhookSettings, log });
    await webhookQueue.start();
    closers.push(() => webhookQueue.close());
    const webhooks = new WebhooksService(webhookRepository, webhookQueue, audit, webhookSettings, log);
    closers.push(() => webhooks.close());
    audit.events.on('stored', webhooks.onAudit);
    await webhooks.start();

    // the masters: every API instance runs for leadership; the fencing epoch makes a deposed one harmless. Their
    // periodic round is the master-reconcile job (reconcileIntervalMs: 0); watches and grace timers stay theirs
    const masterId = `api-${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    if (config.logCenterMaster) {
      const master = new LogCenterMaster(framework, { id: masterId, graceMs: config.logCenterGraceMs, reconcileIntervalMs: 0, audit });
      master.on('error', (e) => logger.warn(`log-center master: ${(e as Error).message}`));
      master.on('elected', (epoch) => log(`log-center master elected (epoch ${epoch})`));
      await master.start();
      jobs.addMaster(master);
      closers.push(() => master.close());
    }
    if (config.dataSyncMaster) {
      const master = new DataSyncMaster(framework, { id: masterId, graceMs: config.dataSyncGraceMs, reconcileIntervalMs: 0, audit });
      master.on('error', (e) => logger.warn(`data-sync master: ${(e as Error).message}`));
      master.on('elected', (epoch) => log(`data-sync master elected (epoch ${epoch})`));
      await master.start();
      jobs.addMaster(master);
      closers.push(() => master.close());
    }

    const auth = new AuthService(new AuthRepository(db), config.sessionTtlSeconds);
    const registryViews = new RegistryViews(registry, reports);
    const bridge = new EventsBridge();
    const logCenterViews = new LogCenterViews(logCenter);
    const dataSyncViews = new DataSyncViews(dataSync);
    const hub = new EventsHub(framework, { switches, config: configs, registry: registryViews, dubboRoot: DEFAULT_DUBBO_ROOT, logCenter: logCenterViews, dataSync: dataSyncViews }, bridge.publish, (e) => logger.warn(`watch: ${(e as Error).message}`));
    closers.push(() => hub.close());

    const app = await NestFactory.create<NestFastifyApplication>(
      AppModule.register({
        auth,
        loginThrottle,
        audit,
        znodes: new ZnodeService(() => framework.client, audit),
        registry: registryViews,
        config: new ConfigViews(configs),
        configSchedules: new ConfigScheduleViews(configScheduler, scheduledChanges, log),
        switchSchedules: new SwitchScheduleViews(switchScheduler, scheduledChanges, log),
        switches: new SwitchViews(switches),
        logCenter: logCenterViews,
        dataSync: dataSyncViews,
        webhooks,
        health: new HealthService({ client: () => framework.client, db, redis, store: { connectString: store.connectString, embedded: store.embedded !== undefined }, database }),
        hub,
        bridge,
        openapi: new OpenApiDocument(buildOpenApi(CONTROLLERS, { title: 'Paddock API', version: '0.1.0' })),
      }),
      new FastifyAdapter({ bodyLimit: 2 * 1024 * 1024, genReqId: () => randomUUID() }),
      { logger: ['warn', 'error'] },
    );
    app.useWebSocketAdapter(new IoAdapter(app));
    app.enableShutdownHooks([]);
    await app.listen(config.port, config.host);
    closers.push(() => app.close());
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
    return {
      url: `http://${host}:${port}`,
      port,
      storeConnect: store.connectString,
      storePort: store.embedded?.port,
      redis: redisEndpoint.describe,
      database,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

