/**
 * The short form of `npm run fuzz` (test/fuzz/main.ts): 400 requests over every route the server registers,
 * drawn by fast-check from a fixed seed (the same requests on every run), against the real server on the
 * run's Temporal and MongoDB-protocol servers, on a database of its own (the state compared before and after
 * is the whole database). Then the role × act matrix at the steps whose actors differ — C1 (the cell), C5 (the
 * grassroots committee), C8 (the cell's vote), C10 (the commune's Organisation Board); api.test.ts has C11.
 * Last, since they change the record: two well-formed requests by someone allowed on every mutating route.
 */
import { createDefaultRegistry } from '../../domain/processes';
import { setUpFixtures, type FuzzFixtures } from '../fuzz/fixtures';
import { runAllowedWrites, runFuzz } from '../fuzz/fuzz';
import { ACT_KINDS, runActMatrix } from '../fuzz/matrix';
import { missingRules } from '../fuzz/requests';
import { enumerateRoutes, type RouteEnumeration } from '../fuzz/routes';
import { ROLE_USERS, startApi, type ApiHarness } from '../support/api';

const SEED = 20_260_101;
const RUNS = 400;

let h: ApiHarness;
let fixtures: FuzzFixtures;
let enumeration: RouteEnumeration;

beforeAll(async () => {
  h = await startApi('fuzz', createDefaultRegistry(), { ownDatabase: true });
  fixtures = await setUpFixtures(h, { steps: ['C1', 'C8', 'C11'], returned: true });
  enumeration = enumerateRoutes(h.app);
}, 180_000);

afterAll(async () => {
  await h?.close();
});

test('the routes come from the server, agree with the OpenAPI document, and each mutating one has a rule', () => {
  expect(enumeration.problems).toEqual([]);
  const keys = enumeration.routes.map((r) => r.key);
  expect(keys).toEqual(
    expect.arrayContaining([
      'POST /api/cases/:caseId/acts',
      'POST /cases/:caseId/act/:type',
      'GET /health',
      'POST /login',
    ])
  );
  expect(enumeration.routes.filter((r) => r.documented).length).toBeGreaterThan(30);
  expect(missingRules(enumeration.routes)).toEqual([]);
});

test(`${RUNS} requests from a fixed seed: no 5xx, nothing forbidden accepted, no state change from a refused request`, async () => {
  const report = await runFuzz(h, fixtures, enumeration.routes, { runs: RUNS, seed: SEED });
  expect(report.requests).toBe(RUNS);
  // Each failure below is printed with the request, and a 5xx also with the smallest request fast-check
  // shrank it to (replay: the route's seed and path).
  expect(report.serverErrors).toEqual([]);
  expect(report.acceptedButForbidden).toEqual([]);
  expect(report.stateChanges).toEqual([]);
  expect(report.isolated.refusedWithChange).toBe(0);
  // Every route and both pseudo routes (unregistered methods, unknown paths) had requests.
  expect(report.routes.fuzzed).toBe(enumeration.routes.length + 2);
  // What it must have tried was refused: unsigned, forbidden, malformed or operator-laden, over the limit.
  for (const status of ['400', '401', '403', '413', '415']) expect(report.byStatus[status] ?? 0).toBeGreaterThan(0);
  expect(report.byExpectation.refuse).toBeGreaterThan(RUNS / 4);
}, 180_000);

test('the role × act matrix at C1, C5, C8 and C10: no unauthorised act accepted, each step’s actor accepted', async () => {
  const m = await runActMatrix(h, { steps: ['C1', 'C5', 'C8', 'C10'] });
  expect(m.steps).toEqual(['C1', 'C5', 'C8', 'C10']);
  // Every role × every kind of act at each step: refused, or allowed by the chain's rules.
  expect(m.tried + m.allowed.length).toBe(4 * Object.keys(ROLE_USERS).length * ACT_KINDS.length);
  expect(m.unauthorisedAccepted).toEqual([]);
  expect(m.changedOnRefusal).toEqual([]);
  expect(m.refused).toBe(m.tried);
  // Only the roles that act there are allowed anything; admin, inspector, outsider, province never.
  expect(m.allowed.filter((a) => ['admin', 'inspector', 'outsider', 'provincialStanding'].includes(a.role))).toEqual(
    []
  );
  // The other side: each step, C1 to C10, passed by its actor through the API.
  expect(m.accepted.filter((a) => !a.ok)).toEqual([]);
  expect(m.accepted.map((a) => a.stepId)).toEqual(['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8', 'C9', 'C10']);
}, 180_000);

test('well-formed requests by someone allowed, on every mutating route: no 5xx, and a refusal writes nothing', async () => {
  const w = await runAllowedWrites(h, fixtures, enumeration.routes, { perRoute: 2, seed: SEED });
  expect(w.serverErrors).toEqual([]);
  expect(w.refusedWithChange).toEqual([]);
  // Every mutating route but the sign-in and the administrators' web forms (sent by the fuzz above) got some.
  expect(w.notDrawn).toEqual([]);
  expect(w.sent).toBeGreaterThan(30);
  expect(w.accepted).toBeGreaterThan(0);
}, 300_000);
