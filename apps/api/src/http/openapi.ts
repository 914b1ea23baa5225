/**
 * The OpenAPI 3.1 document, built from the controllers' own metadata: Nest's route path/method, and ApiRoute's
 * summary, access rule and zod schemas (converted with z.toJSONSchema). Served at /api/openapi.json.
 */
import { PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod, type Type } from '@nestjs/common';
import { z } from 'zod';
import type { AccessRule } from '../auth/access.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../auth/session-cookie.js';
import { ACCESS_KEY, DOC_KEY, type RouteDoc } from './api-route.js';

const METHODS: Partial<Record<RequestMethod, string>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.PATCH]: 'patch',
  [RequestMethod.DELETE]: 'delete',
};

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

function joinPath(...parts: string[]): string {
  const p = '/' + parts.map((s) => s.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/');
  return p.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export function buildOpenApi(controllers: readonly Type[], info: { title: string; version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const controller of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const tag = controller.name.replace(/Controller$/, '');
    for (const key of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = controller.prototype[key] as object;
      if (key === 'constructor' || typeof handler !== 'function') continue;
      const doc = Reflect.getMetadata(DOC_KEY, handler) as RouteDoc | undefined;
      const method = METHODS[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      if (!doc || !method) continue;
      const access = Reflect.getMetadata(ACCESS_KEY, handler) as AccessRule | undefined;
      const path = joinPath(base, String(Reflect.getMetadata(PATH_METADATA, handler) ?? ''));
      const parameters: unknown[] = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
      if (doc.query) {
        const q = jsonSchema(doc.query) as { properties?: Record<string, unknown>; required?: string[] };
        for (const [name, schema] of Object.entries(q.properties ?? {})) parameters.push({ name, in: 'query', required: (q.required ?? []).includes(name), schema });
      }
      const status = String(doc.status ?? 200);
      const isPublic = !access || 'public' in access;
      paths[path] ??= {};
      paths[path][method] = {
        operationId: `${tag}.${key}`,
        tags: [tag],
        summary: doc.summary,
        ...(isPublic ? { security: [] } : { description: `Needs role **${access.role}**${access.area !== 'self' ? ` and token scope \`${access.area}\`` : ''}.`, 'x-paddock-access': access }),
        ...(parameters.length ? { parameters } : {}),
        ...(doc.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(doc.body) } } } } : {}),
        responses: {
          [status]: { description: 'OK', content: { 'application/json': { schema: {} } } },
          '4XX': { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        },
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      ...info,
      description:
        'Paddock governance API. Authenticate with `Authorization: Bearer <session or API token>` (scripts) or the console\'s ' +
        `HttpOnly session cookie \`${SESSION_COOKIE}\` (set by login / bootstrap); a cookie-authenticated POST/PUT/PATCH/DELETE must ` +
        `also send the \`X-Paddock-Csrf\` header (any non-empty value). POST /api/auth/bootstrap creates the first admin.`,
    },
    servers: [{ url: '/' }],
    // either scheme (alternatives)
    security: [{ bearer: [] }, { sessionCookie: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'pds_... (session) or pdt_... (API token)' },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description: `The console session (HttpOnly, SameSite=Lax). State-changing requests (POST/PUT/PATCH/DELETE) authenticated by it also need the \`X-Paddock-Csrf\` header (any non-empty value), else 403.`,
          'x-paddock-csrf-header': CSRF_HEADER,
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['statusCode', 'error', 'message'],
          properties: {
            statusCode: { type: 'integer' },
            error: { type: 'string' },
            message: { type: 'string' },
            zkCode: { type: 'integer', description: 'ZooKeeper error code (KeeperException.Code), e.g. -103' },
            zkCodeName: { type: 'string', description: 'e.g. BAD_VERSION' },
          },
        },
      },
    },
  };
}

export class OpenApiDocument {
  constructor(readonly document: Record<string, unknown>) {}
}
