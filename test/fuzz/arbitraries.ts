/**
 * What the fuzz sends, as fast-check arbitraries: hostile strings (MongoDB operators as text, path
 * traversal, NUL, very long and unusual Unicode, impossible dates), MongoDB operator-injection objects,
 * values that satisfy a route's JSON schema (with known IDs of the fixture mixed in, so that requests reach
 * the services and the workflows rather than stop at validation), one-step mutations of such values, query
 * strings and form bodies.
 */
import fc from 'fast-check';
import type { JsonSchema } from './routes';

/** Strings that have broken servers: operators, traversal, control characters, odd numbers and dates, markup. */
export const HOSTILE_STRINGS: readonly string[] = [
  '$gt',
  '$ne',
  '$where',
  '{"$ne":null}',
  '{"$gt":""}',
  '{"$where":"sleep(1000)"}',
  "'; return true; var x='",
  'this.password.match(/.*/)',
  '../',
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f',
  '\u0000',
  'a\u0000b',
  '%00',
  '%',
  '%zz',
  '\\',
  '/',
  '//',
  '?',
  '#',
  ';',
  '&',
  '=',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '',
  ' ',
  '\t\r\n',
  'null',
  'undefined',
  'true',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '-0',
  '1e309',
  '9007199254740993',
  '0x10',
  '1.5',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '${7*7}',
  '{{7*7}}',
  'Kết nạp đảng viên',
  'Đảng ủy xã Duy Xuyên',
  '🏳️‍🌈',
  '\uFEFF',
  '\u202E',
  '\uD800',
  'ｆｕｌｌ',
  'İ',
  'a.b',
  'a.$b',
  '$',
  '.',
  '..',
  'x'.repeat(5000),
  'Đ'.repeat(3000),
  '2025-02-30',
  '2025-13-01',
  '0000-00-00',
  '9999-99-99',
  '2025-1-1',
  '1899-12-31',
  '2101-01-01',
  '+275760-09-13',
];

export const hostileString = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) }
  );

/** MongoDB query and update operators where a plain value is expected. */
export const operatorObject = (): fc.Arbitrary<Record<string, unknown>> =>
  fc.constantFrom<Record<string, unknown>>(
    { $gt: '' },
    { $ne: null },
    { $where: 'sleep(1000)' },
    { $regex: '.*' },
    { $in: ['admin', 'k-bt'] },
    { $exists: true },
    { $expr: { $eq: [1, 1] } },
    { $set: { isAdmin: true } },
    { $function: { body: 'return true', args: [], lang: 'js' } },
    { 'a.b': 1 },
    { '$a.b': 1 }
  );

/** A key that must never reach MongoDB as a field name (operators, dotted paths) or a prototype. */
export const hostileKey = (): fc.Arbitrary<string> =>
  fc.constantFrom('$where', '$set', '$gt', 'a.b', '$a.b', '.', '$', '__proto__', 'constructor', 'isAdmin', 'extra');

/** encodeURIComponent that also takes lone surrogates (as the UTF-8 of U+FFFD, as a browser would send). */
export function uriEncode(s: string): string {
  return [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-_.!~*'()]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`
    )
    .join('');
}

/** Known values of the fixture by the name of the field or parameter that takes them. */
export type Pools = Record<string, readonly string[]>;

/** The values pooled under exactly that name (own keys only: a field may be called "constructor"). */
export const pool = (pools: Pools, name: string): readonly string[] =>
  (Object.hasOwn(pools, name) ? pools[name] : undefined) ?? [];

/** The pool for a field name: exact name first, then a few families (…PersonId, …UnitId, dates). */
function poolFor(pools: Pools, name: string): readonly string[] | undefined {
  const own = pool(pools, name);
  if (own.length) return own;
  if (/PersonIds?$|^voterId$/.test(name)) return pools.personId;
  if (/(UnitId|bodyId|committeeId)$/.test(name)) return pools.bodyId;
  if (/^(from|to|issuedOn|effectiveFrom|onDate|asOf|deadline)$/.test(name)) return pools.date;
  return undefined;
}

const MAX_STRING = 60;

function stringArb(s: JsonSchema, name: string, pools: Pools): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = Math.max(min, Math.min(s.maxLength ?? MAX_STRING, MAX_STRING));
  const generic = s.pattern
    ? fc.stringMatching(new RegExp(s.pattern), { maxLength: max }).filter((x) => x.length >= min)
    : fc.string({ minLength: min, maxLength: max, unit: 'grapheme' });
  const pool = poolFor(pools, name);
  return pool
    ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...pool) }, { weight: 1, arbitrary: generic })
    : generic;
}

/**
 * Values that satisfy `schema` (the subset of JSON Schema the API's TypeBox schemas use), with pooled
 * fixture values for the fields that name things.
 */
export function schemaValue(schema: JsonSchema, pools: Pools, name = '', depth = 0): fc.Arbitrary<unknown> {
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => schemaValue(s, pools, name, depth + 1)));
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      if (schema.properties) {
        const props = Object.fromEntries(
          Object.entries(schema.properties).map(([k, s]) => [k, schemaValue(s, pools, k, depth + 1)])
        );
        return fc.record(props, { requiredKeys: (schema.required ?? []).filter((k) => k in props) });
      }
      const pattern = Object.keys(schema.patternProperties ?? {})[0];
      if (pattern !== undefined) {
        const value = schema.patternProperties?.[pattern] ?? {};
        const key = poolFor(pools, name)
          ? fc.constantFrom(...(poolFor(pools, name) ?? []))
          : fc.stringMatching(new RegExp(pattern), { maxLength: 12 });
        return fc.dictionary(key, schemaValue(value, pools, '', depth + 1), { maxKeys: 3 });
      }
      return fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
    }
    case 'array': {
      const items = schemaValue(schema.items ?? {}, pools, name.replace(/s$/, ''), depth + 1);
      const c = { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 4, 4) };
      return schema.uniqueItems
        ? fc.uniqueArray(items, { ...c, selector: (v) => JSON.stringify(v) })
        : fc.array(items, c);
    }
    case 'string':
      return stringArb(schema, name, pools);
    case 'integer': {
      const pool = poolFor(pools, name);
      const range = fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
      const inRange = (pool ?? [])
        .map(Number)
        .filter((n) => Number.isInteger(n) && n >= (schema.minimum ?? -Infinity) && n <= (schema.maximum ?? Infinity));
      return inRange.length ? fc.oneof(fc.constantFrom(...inRange), range) : range;
    }
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true });
    case 'boolean':
      return fc.boolean();
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A value of the wrong JSON type, or an operator, where anything is expected. */
export const wrongValue = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    hostileString(),
    operatorObject(),
    fc.constantFrom(null, true, false, 0, -1, 1e308, 1.5, [], {}, [null], ['x'], { x: 1 }),
    fc.jsonValue({ maxDepth: 3 })
  );

type Path = (string | number)[];

function pathsOf(v: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...prefix, i], out));
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) pathsOf(x, [...prefix, k], out);
  return out;
}

export type Mutation = 'replace' | 'remove' | 'addKey' | 'long';

/**
 * One change at one place of a value: replace a member with a wrong value, remove it, add a key that must
 * not be there, or make a string far too long. The place is chosen by `at` among every member.
 */
export function mutate(value: unknown, at: number, how: Mutation, wrong: unknown, key: string): unknown {
  const copy = JSON.parse(JSON.stringify(value ?? null)) as unknown;
  const paths = pathsOf(copy);
  const path = paths[at % paths.length] ?? [];
  if (path.length === 0) return how === 'addKey' && copy && typeof copy === 'object' ? addKey(copy, key) : wrong;
  const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], copy) as Record<
    string | number,
    unknown
  >;
  const last = path[path.length - 1] as string | number;
  switch (how) {
    case 'remove':
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
      break;
    case 'addKey': {
      const member = parent[last];
      addKey(member && typeof member === 'object' ? member : parent, key);
      break;
    }
    case 'long': {
      const member = parent[last];
      parent[last] = typeof member === 'string' ? member.padEnd(5000, 'x') : 'x'.repeat(5000);
      break;
    }
    default:
      parent[last] = wrong;
  }
  return copy;
}

function addKey(o: object, key: string): object {
  // defineProperty, so that '__proto__' becomes an own key (as JSON.parse makes it) and is serialised.
  Object.defineProperty(o, key, { value: { $gt: '' }, enumerable: true, configurable: true, writable: true });
  return o;
}

/** A query string: keys of the route (valid or hostile values), hostile keys, repeated keys, raw or encoded. */
export function queryString(names: string[], validQuery: fc.Arbitrary<unknown> | undefined): fc.Arbitrary<string> {
  const pair = fc.tuple(
    fc.oneof(
      { weight: 3, arbitrary: names.length ? fc.constantFrom(...names) : fc.constant('q') },
      { weight: 1, arbitrary: fc.constantFrom('status[$ne]', 'year[$gt]', '__proto__[x]', 'a.b', '$where', 'q') }
    ),
    hostileString(),
    fc.boolean()
  );
  const encode = ([k, v, raw]: [string, string, boolean]): string =>
    raw ? `${k}=${v.replace(/[^\x21-\x7e]|#/gu, (c) => uriEncode(c))}` : `${uriEncode(k)}=${uriEncode(v)}`;
  const valid = validQuery
    ? validQuery.map((q) =>
        Object.entries((q ?? {}) as Record<string, unknown>)
          .map(([k, v]) => `${uriEncode(k)}=${uriEncode(String(v))}`)
          .join('&')
      )
    : fc.constant('');
  return fc.oneof(
    { weight: 2, arbitrary: valid },
    { weight: 2, arbitrary: fc.array(pair, { minLength: 1, maxLength: 4 }).map((ps) => ps.map(encode).join('&')) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', '&&&', '=', '%', 'a=%zz', '?', 'a=1&a=2&a=3', '[]=1', 'x'.repeat(9000)),
    }
  );
}

/** Query parameters the web pages read (they have no schema to take them from). */
export const PAGE_QUERY_NAMES = ['status', 'process', 'committeeId', 'page', 'overdue', 'year', 'quarter', 'q', 'next'];

/** Names of the fields the web forms read, and some they must not take. */
export const FORM_FIELDS = [
  'username',
  'password',
  'next',
  'personId',
  'bodyId',
  'role',
  'from',
  'to',
  'isAdmin',
  'isInspector',
  'year',
  'schedule',
  'effectiveFrom',
  'changes',
  'requestId',
  'note',
  'reason',
  'reasonCode',
  'text',
  'toPersonId',
  'outcome',
  'base',
  'present',
  'approve',
  'reject',
  'abstain',
  'unit',
  'n',
  'iso',
  'documents',
] as const;

/** JSON text for the form fields that carry JSON (a schedule, a process change): operators inside. */
export const hostileJsonText = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom('null', 'true', '0', '[]', '"x"', '{', '{"steps":null}', '{"titleVi":{"$gt":""}}'),
    fc
      .record({ [`$where`]: fc.constant('sleep(1000)'), x: fc.jsonValue({ maxDepth: 2 }) })
      .map((o) => JSON.stringify(o)),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ daysOff: v, workingDays: { $ne: null }, basis: v })),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ steps: { C1: { $set: v } } }))
  );
