/** The Nest module: controllers and the gateway over services built (framework-free) in runtime.ts. */
import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuditController } from './audit/audit.controller.js';
import { AuditRepository } from './audit/audit.repository.js';
import { AuthController, TokensController, UsersController } from './auth/auth.controller.js';
import { AuthService } from './auth/auth.service.js';
import { LoginThrottle } from './auth/login-throttle.js';
import { ConfigScheduleController } from './config-center/config-schedule.controller.js';
import { ConfigScheduleViews } from './config-center/config-schedule.views.js';
import { ConfigController } from './config-center/config.controller.js';
import { ConfigViews } from './config-center/config.views.js';
import { DataSyncController } from './data-sync/data-sync.controller.js';
import { DataSyncViews } from './data-sync/data-sync.views.js';
import { EventsBridge, EventsGateway } from './events/events.gateway.js';
import { EventsHub } from './events/events-hub.js';
import { HealthController } from './health/health.controller.js';
import { HealthService } from './health/health.service.js';
import { AuthGuard } from './http/auth.guard.js';
import { ErrorFilter } from './http/error-filter.js';
import { OpenApiDocument } from './http/openapi.js';
import { LogCenterController } from './log-center/log-center.controller.js';
import { LogCenterViews } from './log-center/log-center.views.js';
import { RegistryController } from './registry/registry.controller.js';
import { RegistryViews } from './registry/registry.views.js';
import { SwitchScheduleController } from './switches/switch-schedule.controller.js';
import { SwitchScheduleViews } from './switches/switch-schedule.views.js';
import { SwitchesController } from './switches/switches.controller.js';
import { SwitchViews } from './switches/switches.views.js';
import { WebhooksController } from './webhooks/webhooks.controller.js';
import { WebhooksService } from './webhooks/webhooks.service.js';
import { ZnodeService } from './znodes/znode.service.js';
import { ZnodesController } from './znodes/znodes.controller.js';

export const CONTROLLERS: Type[] = [HealthController, AuthController, UsersController, TokensController, ZnodesController, RegistryController, ConfigController, ConfigScheduleController, SwitchesController, SwitchScheduleController, LogCenterController, DataSyncController, AuditController, WebhooksController];

export interface AppServices {
  auth: AuthService;
  loginThrottle: LoginThrottle;
  audit: AuditRepository;
  znodes: ZnodeService;
  registry: RegistryViews;
  config: ConfigViews;
  configSchedules: ConfigScheduleViews;
  switchSchedules: SwitchScheduleViews;
  switches: SwitchViews;
  logCenter: LogCenterViews;
  dataSync: DataSyncViews;
  webhooks: WebhooksService;
  health: HealthService;
  hub: EventsHub;
  bridge: EventsBridge;
  openapi: OpenApiDocument;
}

@Module({})
export class AppModule {
  static register(s: AppServices): DynamicModule {
    const values: Provider[] = [
      { provide: AuthService, useValue: s.auth },
      { provide: LoginThrottle, useValue: s.loginThrottle },
      { provide: AuditRepository, useValue: s.audit },
      { provide: ZnodeService, useValue: s.znodes },
      { provide: RegistryViews, useValue: s.registry },
      { provide: ConfigViews, useValue: s.config },
      { provide: ConfigScheduleViews, useValue: s.configSchedules },
      { provide: SwitchScheduleViews, useValue: s.switchSchedules },
      { provide: SwitchViews, useValue: s.switches },
      { provide: LogCenterViews, useValue: s.logCenter },
      { provide: DataSyncViews, useValue: s.dataSync },
      { provide: WebhooksService, useValue: s.webhooks },
      { provide: HealthService, useValue: s.health },
      { provide: EventsHub, useValue: s.hub },
      { provide: EventsBridge, useValue: s.bridge },
      { provide: OpenApiDocument, useValue: s.openapi },
    ];
    return {
      module: AppModule,
      controllers: CONTROLLERS,
      providers: [...values, EventsGateway, { provide: APP_GUARD, useClass: AuthGuard }, { provide: APP_FILTER, useClass: ErrorFilter }],
    };
  }
}
