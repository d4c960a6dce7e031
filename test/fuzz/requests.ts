/**
 * The fuzz's requests and what each must come to. For every route a fast-check arbitrary draws who asks
 * (nobody, a forged token or cookie, the token or the session of each role, with or without the CSRF token),
 * the path parameters, the query string and the body, and the oracle below says what the request may do:
 *
 * - `noop`: a read, or a request that can do nothing (sign-out with a token): any answer but 5xx, and the
 *   state must not change;
 * - `refuse`: must be answered 4xx (or, for a web form, sent back with an error) and change nothing —
 *   not signed in, no CSRF token, a body or parameter the route's schema refuses, a MongoDB operator, a
 *   body over the limit, or a well-formed request by someone the rules do not allow;
 * - `isolated`: an administrator's web form filled with hostile values, which the service may accept: run
 *   on its own between two digests, so that a refusal that still wrote something is caught;
 * - `change`: a well-formed request by someone allowed, which may rightly change the record. The main fuzz
 *   never sends these (they are filtered out); its last phase does (allowedWrites, test/fuzz/fuzz.ts
 *   runAllowedWrites), each on its own between two digests: no 5xx, and a refusal changes nothing.
 *
 * Who may change what is the table RULES below, one entry per mutating route; a route the server gains
 * without an entry here stops the fuzz (see missingRules), so the table cannot silently fall behind.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { mayAct } from '../../domain/org';
import type { ProcessKey } from '../../domain/processes/model';
import { ROLE_USERS, type ApiHarness, type RoleName } from '../support/api';
import { today } from '../support/cases';
import {
  FORM_FIELDS,
  hostileJsonText,
  hostileKey,
  hostileString,
  mutate,
  operatorObject,
  PAGE_QUERY_NAMES,
  pool,
  queryString,
  schemaValue,
  wrongValue,
  uriEncode,
  type Mutation,
} from './arbitraries';
import type { FuzzFixtures } from './fixtures';
import { ROLES } from './matrix';
import { HTTP_METHODS, isMutating, type JsonSchema, type RouteInfo } from './routes';

export type Auth =
  | { kind: 'none' }
  | { kind: 'forgedToken'; header: string }
  | { kind: 'forgedCookie'; cookie: string }
  | { kind: 'token'; role: RoleName }
  | { kind: 'session'; role: RoleName; csrf: 'right' | 'missing' | 'wrong' };

export type Expectation = 'noop' | 'refuse' | 'isolated' | 'allowed';

export interface FuzzRequest {
  /** The route key ("POST /api/cases/:caseId/acts"), or a pseudo route for unregistered methods and paths. */
  route: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  /** Characters of padding put in place of PAD in the payload when sent (bodies over the limit). */
  pad?: number;
  /** Who asks, e.g. "token:admin", "session:outsider (no CSRF)". */
  who: string;
  /** What the body is, e.g. "valid", "mutated:replace", "operator", "over the limit". */
  body: string;
  expect: Expectation;
  /** Why the oracle expects that. */
  why: string;
}

export const PAD = '@@PAD@@';
export const UNREGISTERED_METHOD = '(an unregistered method on a route)';
export const UNKNOWN_PATH = '(a path no route has)';

export interface FuzzContext {
  h: ApiHarness;
  fixtures: FuzzFixtures;
  routes: RouteInfo[];
}

// ---------------------------------------------------------------------------------------------------
// Who may change what

interface Who {
  role: RoleName;
  personId: string;
  isAdmin: boolean;
  isInspector: boolean;
  via: 'token' | 'session';
}

interface RuleInput {
  who: Who;
  params: Record<string, string>;
  body: Record<string, unknown>;
  /** Web forms: the form carried the session's CSRF token. */
  csrf: boolean;
  ctx: FuzzContext;
}

type Verdict = 'refuse' | 'noop' | 'change' | 'isolated';
type Rule = (a: RuleInput) => Verdict;

const adminOnly: Rule = ({ who }) => (who.isAdmin && !who.isInspector ? 'change' : 'refuse');
const writer = (who: Who): boolean => !who.isInspector;

function orgBoardMember(ctx: FuzzContext, personId: string): boolean {
  const org = ctx.fixtures.org;
  const boards = new Set(org.bodies.filter((b) => b.kind === 'organizationBoard').map((b) => b.id));
  const d = today();
  return org.assignments.some(
    (a) => a.personId === personId && boards.has(a.bodyId) && a.from <= d && (!a.to || a.to >= d)
  );
}

/** Whether the person may start a case of that process for that unit today (the first step's actor). */
function mayStart(ctx: FuzzContext, personId: string, body: Record<string, unknown>): boolean {
  const org = ctx.fixtures.org;
  try {
    const definition = ctx.h.deps.registry.resolve(body.process as ProcessKey, today());
    const first = definition.steps.find((s) => s.id === definition.startStep);
    if (!first) return true;
    if (!org.bodies.some((b) => b.id === body.caseUnitId)) return false;
    return mayAct(org, {
      actor: first.actor,
      caseUnitId: String(body.caseUnitId),
      personId,
      onDate: today(),
      stepId: first.id,
    }).allowed;
  } catch {
    return false; // an unknown process or unit: refused
  }
}

const actsOn = (ctx: FuzzContext, caseId: string | undefined, personId: string): boolean =>
  !!ctx.fixtures.cases.find((c) => c.caseId === caseId)?.actors.includes(personId);

/** One entry per route that may change something: what a well-formed, signed-in request may do. */
export const RULES: Record<string, Rule> = {
  // The fuzz never sends a right password.
  'POST /api/auth/login': () => 'refuse',
  'POST /api/auth/logout': ({ who }) => (who.via === 'session' ? 'change' : 'noop'),
  'POST /api/tokens': () => 'change',
  'DELETE /api/tokens/:id': ({ who, params, ctx }) =>
    ctx.fixtures.tokenOwner[params.id ?? ''] === who.role ? 'change' : 'refuse',
  'POST /api/users': adminOnly,
  'PATCH /api/users/:id': adminOnly,
  'PUT /api/org/people/:id': adminOnly,
  'POST /api/org/roles': adminOnly,
  'PATCH /api/org/roles/:id': adminOnly,
  'POST /api/org/delegations': ({ who, body }) =>
    writer(who) && (who.isAdmin || body.fromPersonId === who.personId) ? 'change' : 'refuse',
  'DELETE /api/org/delegations/:id': ({ who, params, ctx }) =>
    writer(who) && (who.isAdmin || ctx.fixtures.delegationOwner[params.id ?? ''] === who.personId)
      ? 'change'
      : 'refuse',
  'POST /api/processes/:key/versions': adminOnly,
  'PUT /api/calendar/years/:year': adminOnly,
  'DELETE /api/calendar/years/:year': adminOnly,
  'POST /api/cases': ({ who, body, ctx }) =>
    writer(who) && (who.isAdmin || mayStart(ctx, who.personId, body)) ? 'change' : 'refuse',
  'POST /api/campaigns': ({ who, ctx }) =>
    writer(who) && (who.isAdmin || orgBoardMember(ctx, who.personId)) ? 'change' : 'refuse',
  'POST /api/cases/:caseId/acts': ({ who, params, ctx }) =>
    writer(who) && actsOn(ctx, params.caseId, who.personId) ? 'change' : 'refuse',
  'PUT /api/quotas/:year': adminOnly,
  'POST /api/quotas/:year/start': adminOnly,
  'POST /api/meetings/import': ({ who, ctx }) =>
    writer(who) && (who.isAdmin || orgBoardMember(ctx, who.personId)) ? 'change' : 'refuse',
  // Web forms (session and the form's CSRF token only; a bearer token is not a web sign-in).
  'POST /login': () => 'refuse',
  'POST /logout': ({ who, csrf }) => (who.via !== 'session' ? 'noop' : csrf ? 'change' : 'refuse'),
  'POST /admin/roles': webAdmin,
  'POST /admin/users': webAdmin,
  'POST /admin/calendar': webAdmin,
  'POST /admin/processes/:key': webAdmin,
  'POST /cases/:caseId/act/:type': ({ who, params, csrf, ctx }) =>
    csrf && writer(who) && actsOn(ctx, params.caseId, who.personId) ? 'change' : 'refuse',
};

function webAdmin({ who, csrf }: RuleInput): Verdict {
  return who.via === 'session' && csrf && who.isAdmin && !who.isInspector ? 'isolated' : 'refuse';
}

/** Mutating routes the server has and the table does not: the fuzz refuses to run until they are added. */
export function missingRules(routes: RouteInfo[]): string[] {
  return routes.filter((r) => isMutating(r.method) && !(r.key in RULES)).map((r) => r.key);
}

// ---------------------------------------------------------------------------------------------------
// Schemas, as the server applies them

const bodyAjv = new Ajv({ removeAdditional: false, useDefaults: true, coerceTypes: false, strict: false });
const textAjv = new Ajv({ removeAdditional: false, useDefaults: true, coerceTypes: 'array', strict: false });
addFormats(bodyAjv);
addFormats(textAjv);
const compiled = new Map<JsonSchema, ValidateFunction>();
function valid(ajv: Ajv, schema: JsonSchema, value: unknown): boolean {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    compiled.set(schema, v);
  }
  return v(structuredClone(value)) === true;
}

/** As the server's preValidation hook: a key starting with '$' anywhere. */
export function hasOperatorKey(v: unknown, depth = 0): boolean {
  if (depth > 64 || typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) return v.some((x) => hasOperatorKey(x, depth + 1));
  return Object.entries(v).some(([k, x]) => k.startsWith('$') || hasOperatorKey(x, depth + 1));
}

/** As Fastify's JSON parser (prototype poisoning refused): a __proto__ key, or constructor.prototype. */
function hasPoisonKey(text: string): boolean {
  return /"__proto__"\s*:/.test(text) || /"constructor"\s*:/.test(text);
}

// ---------------------------------------------------------------------------------------------------
// The parts of a request

const forgedTokens = fc.oneof(
  fc.constantFrom('Bearer cf_', 'Bearer cf_x', 'Bearer  cf_abc', 'Basic YWRtaW46YWRtaW4=', 'Bearer', 'cf_abc', ''),
  hostileString().map((s) => `Bearer cf_${s.replace(/[^\x21-\x7e]/g, '')}`),
  fc.constant(`Bearer cf_${'A'.repeat(5000)}`)
);
const forgedCookies = fc.oneof(
  fc.constantFrom('cadreflow_session=', 'cadreflow_session=%zz', 'cadreflow_session=a; cadreflow_session=b', '=', ';;'),
  hostileString().map((s) => `cadreflow_session=${uriEncode(s)}`)
);

function authArb(): fc.Arbitrary<Auth> {
  const role = fc.constantFrom(...ROLES);
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant<Auth>({ kind: 'none' }) },
    { weight: 1, arbitrary: forgedTokens.map((header): Auth => ({ kind: 'forgedToken', header })) },
    { weight: 1, arbitrary: forgedCookies.map((cookie): Auth => ({ kind: 'forgedCookie', cookie })) },
    { weight: 5, arbitrary: role.map((r): Auth => ({ kind: 'token', role: r })) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(role, fc.constantFrom<'right' | 'missing' | 'wrong'>('right', 'right', 'missing', 'wrong'))
        .map(([r, csrf]): Auth => ({ kind: 'session', role: r, csrf })),
    }
  );
}

interface ParamValue {
  value: string;
  /** Put in the path as it is (only its non-printable characters encoded) rather than percent-encoded. */
  raw: boolean;
}

function paramArb(ctx: FuzzContext, route: RouteInfo, name: string): fc.Arbitrary<ParamValue> {
  const pools = ctx.fixtures.pools;
  const schema = route.schema.params?.properties?.[name];
  const good =
    name === '*'
      ? fc.constantFrom('index.html', 'swagger-ui.css', 'swagger-ui-bundle.js', 'x.js', 'favicon-32x32.png')
      : schema
        ? schemaValue(schema, pools, name).map(String)
        : fc.constantFrom(...(pool(pools, name).length ? pool(pools, name) : pool(pools, 'id')));
  return fc.oneof(
    { weight: 3, arbitrary: good.map((value) => ({ value, raw: false })) },
    { weight: 2, arbitrary: fc.tuple(hostileString(), fc.boolean()).map(([value, raw]) => ({ value, raw })) }
  );
}

const SPECIAL_IN_PATH = /[%/?#\\]|^\.\.?$/;
const pathSegment = (p: ParamValue): string =>
  p.raw ? p.value.replace(/[^\x21-\x7e]/gu, (c) => uriEncode(c)) : uriEncode(p.value);

type BodyDraft =
  | { kind: 'none' }
  | { kind: 'json'; label: string; value: unknown }
  | { kind: 'text'; label: string; text: string; contentType: string }
  | { kind: 'form'; label: string; pairs: [string, string][] }
  | { kind: 'oversize'; label: string; text: string; contentType: string; pad: number };

const MALFORMED_JSON = [
  '{"requestId": "abcdefgh", "command": ',
  '{"a":1}}',
  '{a:1}',
  "{'a':1}",
  '[',
  'nul',
  '"\\u0000"',
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
  '{"requestId":"abcdefgh","requestId":{"$gt":""}}',
  '[]'.padStart(20001, '['),
  '\uFEFF{}',
  '1e999999',
];
const WRONG_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/octet-stream',
  'application/json-patch+json',
];
const oversizePad = fc.integer({ min: 256 * 1024 + 1, max: 600 * 1024 });

function apiBodyArb(ctx: FuzzContext, route: RouteInfo): fc.Arbitrary<BodyDraft> {
  const schema = route.schema.body;
  const json =
    (label: string) =>
    (value: unknown): BodyDraft => ({ kind: 'json', label, value });
  const anyJson = fc.jsonValue({ maxDepth: 4 });
  const common = [
    { weight: 1, arbitrary: anyJson.map(json('any JSON')) },
    { weight: 1, arbitrary: operatorObject().map(json('operator object')) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...MALFORMED_JSON).map((text): BodyDraft => ({
        kind: 'text',
        label: 'odd or malformed JSON',
        text,
        contentType: 'application/json',
      })),
    },
    {
      weight: 1,
      arbitrary: oversizePad.map((pad): BodyDraft => ({
        kind: 'oversize',
        label: 'over the body limit',
        text: JSON.stringify({ note: PAD }),
        contentType: 'application/json',
        pad,
      })),
    },
  ];
  if (!schema)
    return fc.oneof({ weight: 3, arbitrary: fc.constant<BodyDraft>({ kind: 'none' }) }, ...common, {
      weight: 1,
      arbitrary: fc.tuple(anyJson, fc.constantFrom(...WRONG_TYPES)).map(([v, contentType]): BodyDraft => ({
        kind: 'text',
        label: 'not JSON',
        text: JSON.stringify(v),
        contentType,
      })),
    });
  const good = schemaValue(schema, ctx.fixtures.pools);
  return fc.oneof(
    { weight: 6, arbitrary: good.map(json('valid')) },
    {
      weight: 5,
      arbitrary: fc
        .record({
          value: good,
          at: fc.nat(),
          how: fc.constantFrom<Mutation>('replace', 'replace', 'replace', 'remove', 'addKey', 'long'),
          wrong: wrongValue(),
          key: hostileKey(),
        })
        .map(({ value, at, how, wrong, key }) => json(`mutated:${how}`)(mutate(value, at, how, wrong, key))),
    },
    ...common,
    {
      weight: 1,
      arbitrary: fc.tuple(good, fc.constantFrom(...WRONG_TYPES)).map(([v, contentType]): BodyDraft => ({
        kind: 'text',
        label: 'not JSON',
        text: JSON.stringify(v),
        contentType,
      })),
    },
    { weight: 1, arbitrary: fc.constant<BodyDraft>({ kind: 'none' }) }
  );
}

/** Form fields: names the forms read (and hostile ones), values hostile, JSON with operators, or plausible. */
function formFieldArb(ctx: FuzzContext): fc.Arbitrary<[string, string]> {
  const pools = ctx.fixtures.pools;
  // Person and unit fields never take a real ID: an administrator's form with one could rightly change the
  // organisation the other expectations are computed from.
  const plausible = (name: string): string[] =>
    /person|body|unit/i.test(name)
      ? []
      : [...pool(pools, name), ...(/from|to|date/i.test(name) ? pool(pools, 'date') : [])];
  return fc
    .oneof({ weight: 6, arbitrary: fc.constantFrom(...FORM_FIELDS) }, { weight: 1, arbitrary: hostileKey() })
    .chain((name) => {
      const values: fc.Arbitrary<string>[] = [hostileString(), hostileJsonText()];
      const p = plausible(name);
      if (p.length) values.push(fc.constantFrom(...p));
      return fc.tuple(fc.constant(name), fc.oneof(...values));
    });
}

function webBodyArb(ctx: FuzzContext): fc.Arbitrary<BodyDraft> {
  const fields = fc.array(formFieldArb(ctx), { maxLength: 8 });
  return fc.oneof(
    { weight: 6, arbitrary: fields.map((pairs): BodyDraft => ({ kind: 'form', label: 'form', pairs })) },
    {
      weight: 1,
      arbitrary: fc
        .dictionary(fc.constantFrom(...FORM_FIELDS), fc.oneof(hostileString(), wrongValue()), { maxKeys: 6 })
        .map((value): BodyDraft => ({ kind: 'json', label: 'JSON to a form', value })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          '%zz=%',
          'a=%E0%A4%A',
          '&&&',
          '=',
          '_csrf',
          'username=a&username=b&password=',
          '__proto__=x&constructor=y'
        )
        .map((text): BodyDraft => ({
          kind: 'text',
          label: 'odd form',
          text,
          contentType: 'application/x-www-form-urlencoded',
        })),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 64 * 1024 + 1, max: 300 * 1024 }).map((pad): BodyDraft => ({
        kind: 'oversize',
        label: 'over the form limit',
        text: `username=${PAD}`,
        contentType: 'application/x-www-form-urlencoded',
        pad,
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fields, fc.constantFrom('text/plain', 'multipart/form-data; boundary=x', 'application/xml'))
        .map(([pairs, contentType]): BodyDraft => ({
          kind: 'text',
          label: 'not a form',
          text: new URLSearchParams(pairs).toString(),
          contentType,
        })),
    },
    { weight: 1, arbitrary: fc.constant<BodyDraft>({ kind: 'none' }) }
  );
}

// ---------------------------------------------------------------------------------------------------
// A request and its expectation

interface Draft {
  route: RouteInfo | null;
  routeKey: string;
  method: string;
  path: string;
  params: Record<string, ParamValue>;
  query: string;
  auth: Auth;
  body: BodyDraft;
}

function describeAuth(a: Auth): string {
  switch (a.kind) {
    case 'none':
      return 'nobody';
    case 'forgedToken':
      return 'forged token';
    case 'forgedCookie':
      return 'forged session cookie';
    case 'token':
      return `token:${a.role}`;
    case 'session':
      return `session:${a.role}${a.csrf === 'right' ? '' : a.csrf === 'missing' ? ' (no CSRF)' : ' (wrong CSRF)'}`;
  }
}

/** The request as sent, and what the oracle expects of it (`change` requests are never sent). */
function finish(ctx: FuzzContext, d: Draft): FuzzRequest & { verdict: Verdict } {
  const web = !d.path.startsWith('/api/');
  const headers: Record<string, string> = {};
  const session = d.auth.kind === 'session' ? ctx.fixtures.sessions[d.auth.role] : undefined;
  if (d.auth.kind === 'token') headers.authorization = `Bearer ${ctx.h.tokens[d.auth.role]}`;
  if (d.auth.kind === 'forgedToken') headers.authorization = d.auth.header;
  if (d.auth.kind === 'forgedCookie') headers.cookie = d.auth.cookie;
  const csrfValue =
    d.auth.kind !== 'session' || d.auth.csrf === 'missing'
      ? undefined
      : d.auth.csrf === 'right'
        ? (session?.csrfToken ?? '')
        : 'x'.repeat(session?.csrfToken.length ?? 43);
  if (session) headers.cookie = session.cookie;
  if (session && !web && csrfValue !== undefined) headers['x-csrf-token'] = csrfValue;

  let payload: string | undefined;
  let pad: number | undefined;
  let parsed: unknown;
  /** Whether the body is JSON the server's parser takes (a BOM is skipped), or JSON it refuses. */
  let json: JsonState = 'none';
  let csrfInBody = false;
  const b = d.body;
  switch (b.kind) {
    case 'none':
      break;
    case 'json': {
      let value = b.value;
      if (web && csrfValue !== undefined && value && typeof value === 'object' && !Array.isArray(value)) {
        value = { _csrf: csrfValue, ...value };
        csrfInBody = true;
      }
      payload = JSON.stringify(value);
      parsed = JSON.parse(payload);
      json = 'ok';
      headers['content-type'] = 'application/json';
      break;
    }
    case 'form': {
      const pairs = csrfValue !== undefined && web ? [['_csrf', csrfValue] as [string, string], ...b.pairs] : b.pairs;
      csrfInBody = csrfValue !== undefined && web;
      payload = new URLSearchParams(pairs).toString();
      parsed = Object.fromEntries(pairs);
      headers['content-type'] = 'application/x-www-form-urlencoded';
      break;
    }
    case 'text':
      payload = b.text;
      headers['content-type'] = b.contentType;
      if (b.contentType === 'application/json')
        try {
          parsed = JSON.parse(b.text.replace(/^\uFEFF/, ''));
          json = 'ok';
        } catch {
          json = 'malformed';
        }
      break;
    case 'oversize':
      payload = b.text;
      pad = b.pad;
      headers['content-type'] = b.contentType;
      break;
  }

  const path = d.route
    ? d.path.replace(/:([A-Za-z0-9_]+)|\*/g, (_m, name: string | undefined) => {
        const p = d.params[name ?? '*'];
        return p ? pathSegment(p) : '';
      })
    : d.path;
  const url = d.query ? `${path}?${d.query}` : path;
  const request: FuzzRequest = {
    route: d.routeKey,
    method: d.method,
    url,
    headers,
    ...(payload !== undefined ? { payload } : {}),
    ...(pad !== undefined ? { pad } : {}),
    who: describeAuth(d.auth),
    body: b.kind === 'none' ? 'none' : b.label,
    expect: 'noop',
    why: '',
  };
  const [verdict, why] = judge(ctx, d, parsed, json, csrfInBody);
  return { ...request, expect: verdict === 'change' ? 'refuse' : verdict, why, verdict };
}

type JsonState = 'none' | 'ok' | 'malformed';

function judge(ctx: FuzzContext, d: Draft, parsed: unknown, json: JsonState, csrfInBody: boolean): [Verdict, string] {
  if (!isMutating(d.method)) return ['noop', 'a read'];
  if (!d.route) return ['refuse', 'no such route'];
  const r = d.route;
  const b = d.body;
  if (Object.values(d.params).some((p) => p.raw && SPECIAL_IN_PATH.test(p.value)))
    return ['refuse', 'a path that does not reach the route as such'];
  if (b.kind === 'oversize') return ['refuse', 'a body over the limit'];
  if (json === 'ok' && hasOperatorKey(parsed)) return ['refuse', 'a MongoDB operator or $-key in the body'];
  if (b.kind === 'form' && hasOperatorKey(parsed)) return ['refuse', 'a $-field in the form'];

  // Who asks: a web page reads only the session cookie; the API a bearer token first, then the session.
  let who: Who | null = null;
  const a = d.auth;
  if (a.kind === 'token' && r.api) who = { ...identity(a.role), via: 'token' };
  if (a.kind === 'session') who = { ...identity(a.role), via: 'session' };
  const isPublic = r.key === 'POST /api/auth/login' || r.key === 'POST /login' || r.key === 'POST /logout';
  if (!who && !isPublic) return ['refuse', 'not signed in'];
  if (r.api && a.kind === 'session' && a.csrf !== 'right' && !isPublic) return ['refuse', 'no CSRF token'];

  if (r.api) {
    if (json === 'malformed') return ['refuse', 'malformed JSON'];
    if (b.kind === 'text' && json !== 'ok' && r.schema.body) return ['refuse', 'not JSON'];
    if (json === 'ok' && hasPoisonKey(JSON.stringify(parsed))) return ['refuse', 'prototype poisoning'];
    if (r.schema.body) {
      if (b.kind === 'none' && r.schema.bodyRequired) return ['refuse', 'no body'];
      if (json === 'ok' && !valid(bodyAjv, r.schema.body, parsed)) return ['refuse', 'a body the schema refuses'];
    }
    if (r.schema.params) {
      const params = Object.fromEntries(Object.entries(d.params).map(([k, p]) => [k, p.value]));
      if (!valid(textAjv, r.schema.params, params)) return ['refuse', 'parameters the schema refuses'];
    }
  }
  // The pages take url-encoded forms only (anything else is answered 415).
  if (!r.api && (b.kind === 'json' || (b.kind === 'text' && b.contentType !== 'application/x-www-form-urlencoded')))
    return ['refuse', 'not a form'];
  const rule = RULES[r.key];
  if (!rule) throw new Error(`no permission rule for ${r.key}`);
  const verdict = rule({
    who: who ?? { role: 'outsider', personId: '', isAdmin: false, isInspector: false, via: 'token' },
    params: Object.fromEntries(Object.entries(d.params).map(([k, p]) => [k, p.value])),
    body: (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>,
    csrf: csrfInBody && a.kind === 'session' && a.csrf === 'right',
    ctx,
  });
  if (!who && verdict !== 'refuse') return ['noop', 'nobody signed in: nothing to do'];
  return [
    verdict,
    verdict === 'refuse'
      ? `not allowed to ${describeAuth(a)}`
      : verdict === 'noop'
        ? 'nothing to do'
        : 'an administrator form',
  ];
}

function identity(role: RoleName): Omit<Who, 'via'> {
  return { role, personId: ROLE_USERS[role], isAdmin: role === 'admin', isInspector: role === 'inspector' };
}

/** The requests of one route (or pseudo route), never one that the rules let change the record. */
export function routeArbitrary(ctx: FuzzContext, route: RouteInfo | string): fc.Arbitrary<FuzzRequest> {
  return judgedArbitrary(ctx, route)
    .filter((x) => x.verdict !== 'change')
    .map(({ verdict: _omit, ...request }) => request);
}

/**
 * Up to `count` well-formed requests of a mutating route by someone the rules allow, with the fixtures' real
 * IDs where the schema asks for one: they reach the services and the domain with values nobody chose, and
 * may rightly change the record.
 */
export function allowedWrites(ctx: FuzzContext, route: RouteInfo, seed: number, count: number): FuzzRequest[] {
  // Drawn from all of the route's requests and kept when the rules allow them: a filter on the arbitrary
  // would search without end for a route whose allowed requests are rare.
  return fc
    .sample(judgedArbitrary(ctx, route), { seed, numRuns: Math.max(count * 200, 2000) })
    .filter((x) => x.verdict === 'change')
    .slice(0, count)
    .map(({ verdict: _omit, ...request }): FuzzRequest => ({
      ...request,
      expect: 'allowed',
      why: 'a well-formed request by someone allowed',
    }));
}

function judgedArbitrary(
  ctx: FuzzContext,
  route: RouteInfo | string
): fc.Arbitrary<FuzzRequest & { verdict: Verdict }> {
  const auth = authArb();
  let draft: fc.Arbitrary<Draft>;
  if (route === UNREGISTERED_METHOD) {
    draft = fc
      .record({ r: fc.constantFrom(...ctx.routes), m: fc.constantFrom(...HTTP_METHODS), auth })
      .chain(({ r, m, auth: a }) =>
        fc.record({ body: r.api ? apiBodyArb(ctx, r) : webBodyArb(ctx) }).map(({ body }): Draft => ({
          route: null,
          routeKey: UNREGISTERED_METHOD,
          method: ctx.routes.some((x) => x.url === r.url && x.method === m) ? 'TRACE' : m,
          path: r.url.replace(/:[A-Za-z0-9_]+|\*/g, 'x'),
          params: {},
          query: '',
          auth: a,
          body,
        }))
      );
  } else if (route === UNKNOWN_PATH) {
    draft = fc
      .record({
        prefix: fc.constantFrom('/api/', '/', '/api/cases/x/', '/admin/', '/docs/static/', '//api/', '/API/'),
        rest: fc.array(hostileString(), { maxLength: 3 }),
        m: fc.constantFrom(...HTTP_METHODS),
        auth,
      })
      .map(({ prefix, rest, m, auth: a }): Draft => ({
        route: null,
        routeKey: UNKNOWN_PATH,
        method: m,
        path: `${prefix}${rest.map((s) => uriEncode(s)).join('/')}zz-khong-co`,
        params: {},
        query: '',
        auth: a,
        body: { kind: 'none' },
      }));
  } else if (typeof route === 'string') {
    throw new Error(`unknown pseudo route ${route}`);
  } else {
    const r = route;
    const params = fc.record(Object.fromEntries(r.params.map((p) => [p, paramArb(ctx, r, p)])));
    const names = r.documented ? Object.keys(r.schema.query?.properties ?? {}) : PAGE_QUERY_NAMES;
    const query = isMutating(r.method)
      ? fc.oneof({ weight: 9, arbitrary: fc.constant('') }, { weight: 1, arbitrary: queryString(names, undefined) })
      : queryString(names, r.schema.query ? schemaValue(r.schema.query, ctx.fixtures.pools) : undefined);
    const body: fc.Arbitrary<BodyDraft> = !isMutating(r.method)
      ? fc.constant({ kind: 'none' })
      : r.api
        ? apiBodyArb(ctx, r)
        : webBodyArb(ctx);
    draft = fc
      .record({ params, query, auth, body })
      .map((x): Draft => ({ route: r, routeKey: r.key, method: r.method, path: r.url, ...x }));
  }
  return draft.map((d) => finish(ctx, d));
}
