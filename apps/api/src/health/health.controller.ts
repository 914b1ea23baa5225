import { Controller, Get, Header } from '@nestjs/common';
import { ApiRoute } from '../http/api-route.js';
import { OpenApiDocument } from '../http/openapi.js';
import { HealthService } from './health.service.js';

@Controller('api')
export class HealthController {
  constructor(
    private readonly health: HealthService,
    private readonly openapi: OpenApiDocument,
  ) {}

  @Get('health')
  @ApiRoute('public', { summary: 'Liveness and the state of the store session, database and Redis' })
  check() {
    return this.health.check();
  }

  @Get('openapi.json')
  @Header('Cache-Control', 'no-cache')
  @ApiRoute('public', { summary: 'This OpenAPI 3.1 document' })
  document() {
    return this.openapi.document;
  }
}
