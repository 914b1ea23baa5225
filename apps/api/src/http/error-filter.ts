/**
 * The one place errors become HTTP answers: the API's AppErrors, ZooKeeper errors (with the ZooKeeper code and
 * its name, e.g. 409 + zkCode -103 / BAD_VERSION for a version conflict) and the platform's domain errors.
 */
import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { ZooKeeperError } from '@paddock/client';
import { AppError, type AppErrorKind } from '../errors.js';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  zkCode?: number;
  zkCodeName?: string;
  [k: string]: unknown;
}

const KIND_STATUS: Record<AppErrorKind, number> = { unauthenticated: 401, forbidden: 403, 'not-found': 404, conflict: 409, invalid: 400, unavailable: 503 };

const ZK_STATUS: Record<string, number> = {
  NO_NODE: 404,
  NODE_EXISTS: 409,
  BAD_VERSION: 409,
  NOT_EMPTY: 409,
  NO_AUTH: 403,
  AUTH_FAILED: 403,
  BAD_ARGUMENTS: 400,
  INVALID_ACL: 400,
  NO_CHILDREN_FOR_EPHEMERALS: 400,
  CONNECTION_LOSS: 503,
  SESSION_EXPIRED: 503,
  OPERATION_TIMEOUT: 504,
};

const DOMAIN_STATUS: Record<string, number> = {
  ConfigConflictError: 409,
  ConfigValidationError: 422,
  ConfigNotFoundError: 404,
  SchemaDefinitionError: 400,
  SwitchConflictError: 409,
  SwitchSpecError: 400,
  PlanNotFoundError: 404,
  MissingReasonError: 400,
  RouteSyntaxError: 400,
  RangeError: 400,
  SyncTaskConflictError: 409,
  StaleEpochError: 409,
  LogCenterConflictError: 409,
};

const NAMES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof AppError) {
    const status = KIND_STATUS[error.kind];
    return { statusCode: status, error: NAMES[status] ?? 'Error', message: error.message, ...(error.details ?? {}) };
  }
  if (error instanceof ZooKeeperError) {
    const status = ZK_STATUS[error.codeName] ?? 502;
    return { statusCode: status, error: NAMES[status] ?? 'Error', message: error.message, zkCode: error.code, zkCodeName: error.codeName, ...(error.path !== undefined ? { path: error.path } : {}) };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message = typeof response === 'string' ? response : String((response as { message?: unknown }).message ?? error.message);
    return { statusCode: status, error: NAMES[status] ?? 'Error', message };
  }
  if (error instanceof Error && DOMAIN_STATUS[error.name] !== undefined) {
    const status = DOMAIN_STATUS[error.name]!;
    const extra = (error as { errors?: unknown }).errors !== undefined ? { errors: (error as { errors?: unknown }).errors } : {};
    return { statusCode: status, error: NAMES[status] ?? 'Error', message: error.message, ...extra };
  }
  return { statusCode: 500, error: NAMES[500]!, message: 'internal error' };
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const body = toErrorBody(error);
    if (body.statusCode >= 500) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    if (host.getType() !== 'http') throw error;
    const reply = host.switchToHttp().getResponse<{ status(code: number): { send(body: unknown): void } }>();
    reply.status(body.statusCode).send(body);
  }
}
