/**
 * Every route the server registers, read from the server itself rather than from a list kept by hand: the
 * router's own printout (`printRoutes`) for what exists, joined to the OpenAPI document (@fastify/swagger)
 * for the schemas of the documented ones. The two are cross-checked: an operation of the document that the
 * router does not have, or a route under /api/ that the document does not describe, is a problem the fuzz
 * reports before it starts.
 */
import type { FastifyInstance } from 'fastify';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  patternProperties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  format?: string;
}

interface OpenApiParameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema: JsonSchema;
}

interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
}

export interface RouteInfo {
  method: string;
  /** The route as Fastify knows it: /api/cases/:caseId/acts. */
  url: string;
  /** "POST /api/cases/:caseId/acts". */
  key: string;
  /** Path parameters in order (`*` for a wildcard). */
  params: string[];
  /** Under /api/: JSON in and out, a bearer token or a session with its CSRF header. */
  api: boolean;
  /** Described by the OpenAPI document (with schemas); the web pages, /health, /ready and /docs are not. */
  documented: boolean;
  /** Schemas from the OpenAPI document: the path parameters and the query string as objects, and the body. */
  schema: { params?: JsonSchema; query?: JsonSchema; body?: JsonSchema; bodyRequired: boolean };
}

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * The routes of find-my-way's tree printout. Each line is a node: its label is appended to its parent's
 * path, and a node followed by "(GET, HEAD)" is a route with those methods.
 */
export function parseRouteTree(text: string): { url: string; methods: string[] }[] {
  const out: { url: string; methods: string[] }[] = [];
  const stack: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^(.*?)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = [...(m[1] ?? '')].length / 4;
    stack.length = depth;
    stack.push(m[2] ?? '');
    if (m[3]) out.push({ url: stack.join(''), methods: m[3].split(',').map((s) => s.trim()) });
  }
  return out;
}

const toOpenApiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function objectOf(params: OpenApiParameter[]): JsonSchema | undefined {
  if (params.length === 0) return undefined;
  return {
    type: 'object',
    properties: Object.fromEntries(params.map((p) => [p.name, p.schema])),
    required: params.filter((p) => p.required).map((p) => p.name),
    // Every query and params schema of the API is a closed TypeBox object; the document drops that flag.
    additionalProperties: false,
  };
}

export interface RouteEnumeration {
  routes: RouteInfo[];
  /** Disagreements between the router and the OpenAPI document (must be none). */
  problems: string[];
}

export function enumerateRoutes(app: FastifyInstance): RouteEnumeration {
  const doc = app.swagger() as unknown as OpenApiDocument;
  const found = parseRouteTree(app.printRoutes());
  const problems: string[] = [];
  const routes: RouteInfo[] = [];
  const documented = new Set<string>();
  for (const { url, methods } of found) {
    for (const method of methods) {
      const op = doc.paths[toOpenApiPath(url)]?.[method.toLowerCase()];
      const key = `${method} ${url}`;
      if (op) documented.add(key);
      const params = (op?.parameters ?? []).filter((p) => p.in === 'path');
      const query = (op?.parameters ?? []).filter((p) => p.in === 'query');
      const body = op?.requestBody?.content?.['application/json']?.schema;
      routes.push({
        method,
        url,
        key,
        params: [...url.matchAll(/:([A-Za-z0-9_]+)|\*/g)].map((x) => x[1] ?? '*'),
        api: url.startsWith('/api/'),
        documented: !!op,
        schema: {
          ...(objectOf(params) ? { params: objectOf(params) } : {}),
          ...(objectOf(query) ? { query: objectOf(query) } : {}),
          ...(body ? { body } : {}),
          bodyRequired: op?.requestBody?.required === true,
        },
      });
      // Fastify answers HEAD for every GET by itself; the document lists the GET.
      if (url.startsWith('/api/') && !op && method !== 'HEAD')
        problems.push(`${key} is under /api/ but not described by the OpenAPI document`);
    }
  }
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops)) {
      if (!HTTP_METHODS.includes(method.toUpperCase() as (typeof HTTP_METHODS)[number])) continue;
      const key = `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`;
      if (!documented.has(key)) problems.push(`${key} is in the OpenAPI document but the router has no such route`);
    }
  }
  if (routes.length === 0) problems.push('the router printout listed no route');
  return { routes: routes.sort((a, b) => a.key.localeCompare(b.key)), problems };
}

/** True for a method that may change something (everything but GET, HEAD and OPTIONS). */
export const isMutating = (method: string): boolean => !['GET', 'HEAD', 'OPTIONS'].includes(method);
