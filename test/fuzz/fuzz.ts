/**
 * The fuzz: every route the server registers (test/fuzz/routes.ts), each with requests drawn by fast-check
 * (test/fuzz/requests.ts) from a fixed seed, sent in-process with fastify.inject to the real server on the
 * run's Temporal and MongoDB-protocol servers. Counted: requests, answers by status and by route, 5xx
 * answers (none allowed: each is replayed by fast-check from its seed and path and shrunk to the smallest
 * request that still fails), requests that had to be refused but were accepted, and changes of the state
 * (test/fuzz/state.ts) across a batch of requests none of which may change anything. Administrators' web
 * forms with hostile values run one at a time between two digests, since the service may accept them.
 */
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import type { ApiHarness } from '../support/api';
import type { FuzzFixtures } from './fixtures';
import {
  allowedWrites,
  missingRules,
  PAD,
  routeArbitrary,
  UNKNOWN_PATH,
  UNREGISTERED_METHOD,
  type FuzzContext,
  type FuzzRequest,
} from './requests';
import { isMutating, type RouteInfo } from './routes';
import { diffState, digestState, settledState, type StateDigest } from './state';

export interface FuzzOptions {
  /** How many requests in all. */
  runs: number;
  seed: number;
  /** Requests between two digests of the state. */
  batchSize?: number;
  /** Requests in flight at once within a batch. */
  concurrency?: number;
  /** A request not answered in this time counts as a server error. */
  timeoutMs?: number;
  /** At most this many failing requests are shrunk (each shrink replays requests). */
  shrinkAtMost?: number;
  log?: (line: string) => void;
}

export interface Finding {
  route: string;
  /** Replay: `fc.check(property(routeArbitrary(route)), { seed, path })`. */
  seed: number;
  path: string;
  request: PrintedRequest;
  status: number | 'timeout' | 'no answer';
  answer: string;
  why: string;
  /** The smallest request fast-check found that still fails the same way. */
  shrunk?: PrintedRequest;
}

export interface PrintedRequest {
  method: string;
  url: string;
  who: string;
  body: string;
  headers: Record<string, string>;
  payload?: string;
}

export interface StateChange {
  /** What changed ("cases: 4 → 5 documents"). */
  changed: string[];
  /** The requests between the two digests (all expected to change nothing). */
  requests: PrintedRequest[];
}

export interface FuzzReport {
  seed: number;
  requests: number;
  byStatus: Record<string, number>;
  byExpectation: Record<string, number>;
  byRoute: Record<string, Record<string, number>>;
  serverErrors: Finding[];
  /** Requests that had to be refused and were accepted. */
  acceptedButForbidden: Finding[];
  /** Batches of requests that may change nothing, across which the state changed. */
  stateChanges: StateChange[];
  /** Administrators' web forms with hostile values: accepted, refused, and refused after writing. */
  isolated: { sent: number; accepted: number; refusedWithChange: number };
  digests: number;
  routes: { registered: number; documented: number; fuzzed: number; notReached: string[] };
  ms: number;
}

const print = (r: FuzzRequest): PrintedRequest => ({
  method: r.method,
  url: r.url.length > 300 ? `${r.url.slice(0, 300)}… (${r.url.length} characters)` : r.url,
  who: r.who,
  body: r.body,
  headers: Object.fromEntries(
    Object.entries(r.headers).map(([k, v]) => [k, /authorization|cookie|csrf/i.test(k) ? `${v.slice(0, 18)}…` : v])
  ),
  ...(r.payload !== undefined
    ? { payload: r.payload.length > 500 ? `${r.payload.slice(0, 500)}… (${r.payload.length} characters)` : r.payload }
    : {}),
  ...(r.pad ? { payload: `${(r.payload ?? '').slice(0, 200)} with ${r.pad} characters of padding` } : {}),
});

/** Sends one request; a request the test client itself cannot form is answered `null`. */
export async function send(
  h: ApiHarness,
  r: FuzzRequest,
  timeoutMs = 30_000
): Promise<LightMyRequestResponse | 'timeout' | null> {
  const payload = r.pad && r.payload !== undefined ? r.payload.replace(PAD, 'x'.repeat(r.pad)) : r.payload;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      h.app.inject({
        method: r.method as 'GET',
        url: r.url,
        headers: r.headers,
        ...(payload !== undefined ? { payload } : {}),
      }),
      new Promise<'timeout'>((res) => {
        timer = setTimeout(() => res('timeout'), timeoutMs);
      }),
    ]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** Accepted: a 2xx, or a web form's redirect that did not come back with an error message. */
export function accepted(res: LightMyRequestResponse): boolean {
  if (res.statusCode >= 200 && res.statusCode < 300) return true;
  if (res.statusCode >= 300 && res.statusCode < 400) {
    const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    const flash = cookies.find((c) => c.startsWith('cadreflow_flash='));
    if (!flash) return true;
    try {
      const value = JSON.parse(decodeURIComponent(flash.slice('cadreflow_flash='.length).split(';')[0] ?? '')) as {
        kind?: string;
      };
      return value.kind !== 'error';
    } catch {
      return true;
    }
  }
  return false;
}

interface Plan {
  name: string;
  route: RouteInfo | string;
  arbitrary: fc.Arbitrary<FuzzRequest>;
  seed: number;
  runs: number;
}

/** FNV-1a of a route's name: each route draws from a seed of its own, unchanged when routes are added. */
function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Splits `runs` over the routes: mutating routes three shares, reads one, the two pseudo routes one each. */
function plans(ctx: FuzzContext, runs: number, seed: number): Plan[] {
  const targets: (RouteInfo | string)[] = [...ctx.routes, UNREGISTERED_METHOD, UNKNOWN_PATH];
  const weight = (t: RouteInfo | string): number => (typeof t !== 'string' && isMutating(t.method) ? 3 : 1);
  // One request each first (when there are enough), then the rest in proportion to the weights.
  const base = runs >= targets.length ? 1 : 0;
  const rest = runs - base * targets.length;
  const total = targets.reduce((sum, t) => sum + weight(t), 0);
  const shares = targets.map((t) => base + Math.floor((rest * weight(t)) / total));
  for (let i = 0, left = runs - shares.reduce((a, b) => a + b, 0); left > 0; i = (i + 1) % targets.length, left--)
    shares[i] = (shares[i] ?? 0) + 1;
  return targets.map((t, i) => {
    const share = shares[i] ?? 0;
    return {
      name: typeof t === 'string' ? t : t.key,
      route: t,
      arbitrary: routeArbitrary(ctx, t),
      seed: (seed ^ hashOf(typeof t === 'string' ? t : t.key)) | 0,
      runs: share,
    };
  });
}

export async function runFuzz(
  h: ApiHarness,
  fixtures: FuzzFixtures,
  routes: RouteInfo[],
  o: FuzzOptions
): Promise<FuzzReport> {
  const started = Date.now();
  const log = o.log ?? (() => undefined);
  const missing = missingRules(routes);
  if (missing.length) throw new Error(`routes with no permission rule in test/fuzz/requests.ts: ${missing.join(', ')}`);
  const ctx: FuzzContext = { h, fixtures, routes };
  const batchSize = o.batchSize ?? 50;
  const concurrency = o.concurrency ?? 4;
  const timeoutMs = o.timeoutMs ?? 30_000;

  // Each route's requests from its own seed, then interleaved: every batch mixes routes.
  const all = plans(ctx, o.runs, o.seed).filter((p) => p.runs > 0);
  const samples = all.map((p) => fc.sample(p.arbitrary, { seed: p.seed, numRuns: p.runs }));
  const queue: { plan: Plan; path: number; request: FuzzRequest }[] = [];
  for (let i = 0; queue.length < o.runs; i++) {
    let added = false;
    all.forEach((plan, k) => {
      const request = samples[k]?.[i];
      if (request && queue.length < o.runs) {
        queue.push({ plan, path: i, request });
        added = true;
      }
    });
    if (!added) break;
  }

  const report: FuzzReport = {
    seed: o.seed,
    requests: 0,
    byStatus: {},
    byExpectation: {},
    byRoute: {},
    serverErrors: [],
    acceptedButForbidden: [],
    stateChanges: [],
    isolated: { sent: 0, accepted: 0, refusedWithChange: 0 },
    digests: 0,
    routes: {
      registered: routes.length,
      documented: routes.filter((r) => r.documented).length,
      fuzzed: 0,
      notReached: [],
    },
    ms: 0,
  };
  const reached = new Set<string>();
  const finding = (
    q: (typeof queue)[number],
    res: LightMyRequestResponse | 'timeout' | null,
    why: string
  ): Finding => ({
    route: q.plan.name,
    seed: q.plan.seed,
    path: String(q.path),
    request: print(q.request),
    status: res === null ? 'no answer' : res === 'timeout' ? 'timeout' : res.statusCode,
    answer: res && res !== 'timeout' ? res.body.slice(0, 500) : '',
    why,
  });

  const workflows = fixtures.workflowIds;
  let baseline: StateDigest = await settledState(h, workflows);
  const digest = async (): Promise<StateDigest> => {
    report.digests++;
    return digestState(h, workflows);
  };

  /** Sends one request and records its answer; true when it was accepted. */
  const run = async (q: (typeof queue)[number]): Promise<boolean> => {
    const res = await send(h, q.request, timeoutMs);
    report.requests++;
    const status = res === null ? 'no answer' : res === 'timeout' ? 'timeout' : String(res.statusCode);
    report.byStatus[status] = (report.byStatus[status] ?? 0) + 1;
    report.byExpectation[q.request.expect] = (report.byExpectation[q.request.expect] ?? 0) + 1;
    const byRoute = (report.byRoute[q.plan.name] ??= {});
    byRoute[status] = (byRoute[status] ?? 0) + 1;
    if (res !== null && res !== 'timeout' && res.statusCode !== 404) reached.add(q.plan.name);
    if (res === null) return false; // the request could not be formed by the client: not a server answer
    if (res === 'timeout' || res.statusCode >= 500) {
      report.serverErrors.push(finding(q, res, q.request.why));
      return false;
    }
    const ok = accepted(res);
    if (ok && q.request.expect === 'refuse')
      report.acceptedButForbidden.push(finding(q, res, `had to be refused: ${q.request.why}`));
    return ok;
  };

  let done = 0;
  let lastLog = Date.now();
  const progress = (): void => {
    if (Date.now() - lastLog < 5000 && done < queue.length) return;
    lastLog = Date.now();
    const errors = report.serverErrors.length;
    log(
      `  fuzz: ${done}/${queue.length} requests, ${errors} 5xx, ${report.acceptedButForbidden.length} accepted but forbidden, ${report.stateChanges.length} state changes (${Math.round((Date.now() - started) / 1000)} s)`
    );
  };

  let batch: (typeof queue)[number][] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const items = batch;
    batch = [];
    for (let i = 0; i < items.length; i += concurrency)
      await Promise.all(items.slice(i, i + concurrency).map((q) => run(q)));
    const after = await digest();
    const changed = diffState(baseline, after);
    if (changed.length) {
      report.stateChanges.push({ changed, requests: items.map((q) => print(q.request)) });
      baseline = after;
    }
    done += items.length;
    progress();
  };

  for (const q of queue) {
    if (q.request.expect !== 'isolated') {
      batch.push(q);
      if (batch.length >= batchSize) await flush();
      continue;
    }
    await flush();
    report.isolated.sent++;
    const ok = await run(q);
    const after = await digest();
    const changed = diffState(baseline, after);
    if (ok) report.isolated.accepted++;
    else if (changed.length) {
      report.isolated.refusedWithChange++;
      report.stateChanges.push({ changed, requests: [print(q.request)] });
    }
    baseline = after;
    done++;
    progress();
  }
  await flush();
  // Visibility lags: a workflow a refused request started shows up a moment later.
  await new Promise((r) => setTimeout(r, 1500));
  const last = await digest();
  const late = diffState(baseline, last);
  if (late.length) report.stateChanges.push({ changed: late, requests: [] });

  // Replay each 5xx from its seed and path, and let fast-check shrink it to the smallest request that fails.
  for (const f of report.serverErrors.slice(0, o.shrinkAtMost ?? 5)) {
    const plan = all.find((p) => p.name === f.route);
    if (!plan) continue;
    const result = await fc.check(
      fc.asyncProperty(plan.arbitrary, async (r) => {
        const res = await send(h, r, timeoutMs);
        return res !== 'timeout' && (res === null || res.statusCode < 500);
      }),
      { seed: plan.seed, path: f.path, numRuns: 1 }
    );
    const counterexample = result.counterexample?.[0];
    if (result.failed && counterexample) f.shrunk = print(counterexample);
  }

  report.routes.fuzzed = new Set(queue.map((q) => q.plan.name)).size;
  report.routes.notReached = routes.map((r) => r.key).filter((k) => !reached.has(k));
  report.ms = Date.now() - started;
  return report;
}

export interface AllowedWritesOptions {
  /** Requests drawn per mutating route. */
  perRoute: number;
  seed: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface AllowedWritesReport {
  seed: number;
  sent: number;
  accepted: number;
  byStatus: Record<string, number>;
  byRoute: Record<string, Record<string, number>>;
  serverErrors: Finding[];
  /** Allowed requests that were refused and still changed something. */
  refusedWithChange: StateChange[];
  /** Mutating routes for which no allowed request could be drawn from the fixtures. */
  notDrawn: string[];
  ms: number;
}

/**
 * Routes whose allowed requests take away the fuzz's own means (its sessions, tokens and users) go last, so
 * that the others are still sent by someone signed in.
 */
const LAST = /logout|\/users|\/tokens/;

/**
 * Mutating routes with no allowed request here: the sign-in forms (the fuzz never knows a password) and the
 * administrators' web forms, which the main fuzz already sends on their own between two digests.
 */
const COVERED_ELSEWHERE = new Set([
  'POST /api/auth/login',
  'POST /login',
  'POST /admin/roles',
  'POST /admin/users',
  'POST /admin/calendar',
  'POST /admin/processes/:key',
]);

/**
 * The last phase: for every mutating route, `perRoute` well-formed requests by someone allowed, each sent on
 * its own between two digests of the state. None may be answered 5xx; one that is refused (4xx, or a form
 * sent back with an error) must have changed nothing. Run after the rest: these requests change the record.
 */
export async function runAllowedWrites(
  h: ApiHarness,
  fixtures: FuzzFixtures,
  routes: RouteInfo[],
  o: AllowedWritesOptions
): Promise<AllowedWritesReport> {
  const started = Date.now();
  const log = o.log ?? (() => undefined);
  const ctx: FuzzContext = { h, fixtures, routes };
  const report: AllowedWritesReport = {
    seed: o.seed,
    sent: 0,
    accepted: 0,
    byStatus: {},
    byRoute: {},
    serverErrors: [],
    refusedWithChange: [],
    notDrawn: [],
    ms: 0,
  };
  const targets = routes
    .filter((r) => isMutating(r.method))
    .sort((a, b) => Number(LAST.test(a.key)) - Number(LAST.test(b.key)));
  const workflows = fixtures.workflowIds;
  let baseline = await settledState(h, workflows);
  for (const route of targets) {
    const seed = (o.seed ^ hashOf(route.key)) | 0;
    const drawn = allowedWrites(ctx, route, seed, o.perRoute);
    if (drawn.length === 0 && !COVERED_ELSEWHERE.has(route.key)) report.notDrawn.push(route.key);
    for (const [path, request] of drawn.entries()) {
      const res = await send(h, request, o.timeoutMs ?? 30_000);
      report.sent++;
      const status = res === null ? 'no answer' : res === 'timeout' ? 'timeout' : String(res.statusCode);
      report.byStatus[status] = (report.byStatus[status] ?? 0) + 1;
      const byRoute = (report.byRoute[route.key] ??= {});
      byRoute[status] = (byRoute[status] ?? 0) + 1;
      // Settled, not a single digest: what an accepted request set going (the signal to open cases after an
      // organisation change, a campaign's cases) lands after its answer and must not be laid at the next.
      const after = await settledState(h, workflows);
      if (res === 'timeout' || (res !== null && res.statusCode >= 500)) {
        report.serverErrors.push({
          route: route.key,
          seed,
          path: String(path),
          request: print(request),
          status: res === 'timeout' ? 'timeout' : res.statusCode,
          answer: res === 'timeout' ? '' : res.body.slice(0, 500),
          why: request.why,
        });
      } else if (res !== null && accepted(res)) {
        report.accepted++;
      } else {
        const changed = diffState(baseline, after);
        if (changed.length) report.refusedWithChange.push({ changed, requests: [print(request)] });
      }
      baseline = after;
    }
    log(`  allowed writes: ${route.key}: ${JSON.stringify(report.byRoute[route.key] ?? {})}`);
  }
  report.ms = Date.now() - started;
  return report;
}
