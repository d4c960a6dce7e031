/**
 * `cadreflow audit verify` as a person runs it: the CLI as its own process, through the API listening on a
 * real port, on a database of this file's own. For every kind of change to a stored audit entry (the same
 * changes as test/integration/audit-tamper.test.ts, from test/support/audit-tamper.ts) the command prints
 * one line per problem found — as many as the chain's own verification finds — and exits with 7; an untouched
 * trail exits 0. Only administrators and the Inspection Committee (the inspector account, or a role in an
 * Ủy ban Kiểm tra of the tree) may run it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAuditChain } from '../../activities/store/audit';
import { saveOrg } from '../../activities/store/org-store';
import { EXIT } from '../../client/cli/main';
import { createApiToken, createUser, toActor } from '../../client/services';
import { createDefaultRegistry } from '../../domain/processes';
import { as, ORG_FROM, PASSWORD, startApi, type ApiHarness, type RoleName } from '../support/api';
import { ENTRIES, tamperKit } from '../support/audit-tamper';
import { BODY } from '../unit/fixtures/org';
import { runCli, type CliRun } from './support/cli-process';

let h: ApiHarness;
let url: string;
let dir: string;
/** The API token of a member of the province's Ủy ban Kiểm tra (a role in the tree, no inspector flag). */
let ubktToken: string;
const { trail, set, tampers } = tamperKit(() => h.models);

beforeAll(async () => {
  h = await startApi('audit-verify', createDefaultRegistry(), { ownDatabase: true });
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = h.app.server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  dir = mkdtempSync(join(tmpdir(), 'cadreflow-audit-verify-'));
  const ubkt = { id: 'P-UBKT', name: 'Ủy ban Kiểm tra Tỉnh ủy', parentId: BODY.province, validFrom: ORG_FROM };
  await saveOrg(h.models, {
    ...h.org,
    bodies: [...h.org.bodies, { ...ubkt, kind: 'inspectionCommittee' }],
    people: [...h.org.people, { id: 'ubkt-uv', name: 'Ủy viên Ủy ban Kiểm tra', email: 'ubkt-uv@tinhuy.example.vn' }],
    assignments: [
      ...h.org.assignments,
      { personId: 'ubkt-uv', bodyId: ubkt.id, role: 'committeeMember', from: ORG_FROM },
    ],
  });
  const user = await createUser(h.deps, null, {
    username: `${h.usernames.admin}-ubkt`,
    password: PASSWORD,
    personId: 'ubkt-uv',
  });
  ubktToken = (await createApiToken(h.deps, toActor(user), 'kiểm tra nhật ký')).token;
});
afterAll(async () => {
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `cadreflow audit verify [caseId]` with a role's API token (or a token given as such). */
function verify(who: RoleName | { token: string }, args: string[]): Promise<CliRun> {
  const token = typeof who === 'string' ? h.tokens[who] : who.token;
  return runCli(['audit', 'verify', ...args], {
    url,
    home: dir,
    configHome: join(dir, 'none'),
    env: { CADREFLOW_TOKEN: token },
  });
}

/** The lines of a tamper report: `<caseId>  mục <n>  [<code>]  <problem>`. */
const PROBLEM_LINE = /^(\S+) {2}mục (\d+) {2}\[(changed|broken-link|missing|bad-id|duplicate)\] {2}\S.*$/;

test('untouched: a case and the whole database verify, exit 0', async () => {
  const caseId = await trail();
  const one = await verify('inspector', [caseId]);
  expect(one).toEqual({
    code: EXIT.ok,
    stdout: `Nhật ký hồ sơ ${caseId} toàn vẹn: ${ENTRIES} mục đã kiểm tra, không có sai lệch.\n`,
    stderr: '',
  });
  const all = await verify('inspector', []);
  expect({ code: all.code, stderr: all.stderr }).toEqual({ code: EXIT.ok, stderr: '' });
  expect(all.stdout).toMatch(/^Nhật ký mọi hồ sơ toàn vẹn: \d+ mục đã kiểm tra, không có sai lệch\.\n$/);
});

test.each(tampers)('tampered: %s — reported, exit 7', async (_name, tamper) => {
  const caseId = await trail();
  await tamper(caseId);
  const r = await verify('inspector', [caseId]);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: EXIT.auditTampered, stderr: '' });
  const lines = r.stdout.trimEnd().split('\n');
  const summary = lines.pop();
  const expected = await verifyAuditChain(h.models, caseId);
  expect(summary).toBe(
    `NHẬT KÝ BỊ THAY ĐỔI (hồ sơ ${caseId}): ${expected.problems.length} sai lệch trong ${expected.checked} mục đã kiểm tra.`
  );
  expect(lines).toHaveLength(expected.problems.length);
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expect(line).toMatch(PROBLEM_LINE);
  expect(lines.map((l) => PROBLEM_LINE.exec(l)?.[1])).toEqual(lines.map(() => caseId));
});

test('--json: the same report for scripts, and the same exit code', async () => {
  const caseId = await trail();
  await set(caseId, 2, { 'data.note': 'Không đồng ý' });
  const r = await verify('inspector', ['--json', caseId]);
  expect(r.code).toBe(EXIT.auditTampered);
  expect(JSON.parse(r.stdout)).toEqual({
    ok: false,
    checked: ENTRIES,
    problems: [
      { caseId, seq: 2, code: 'changed', problem: 'Nội dung mục 2 đã bị thay đổi sau khi ghi (mã băm không khớp).' },
    ],
  });
});

test('the whole database: every tampered case is listed, the untouched ones are not, exit 7', async () => {
  const clean = await trail();
  const tampered = await trail();
  await set(tampered, 4, { personId: 'ngoai' });
  const r = await verify('admin', []);
  expect(r.code).toBe(EXIT.auditTampered);
  const cases = new Set(
    r.stdout
      .trimEnd()
      .split('\n')
      .slice(0, -1)
      .map((l) => PROBLEM_LINE.exec(l)?.[1])
  );
  expect(cases.has(tampered)).toBe(true);
  expect(cases.has(clean)).toBe(false);
  expect(r.stdout).toMatch(/NHẬT KÝ BỊ THAY ĐỔI \(mọi hồ sơ\)/);
});

test('who may verify: administrators and the Inspection Committee; others 403 in Vietnamese; unknown case 404', async () => {
  const caseId = await trail();
  expect((await verify('admin', [caseId])).code).toBe(EXIT.ok);
  expect((await verify({ token: ubktToken }, [caseId])).code).toBe(EXIT.ok);
  for (const role of ['outsider', 'cellSecretary', 'provincialStanding'] as const) {
    const r = await verify(role, [caseId]);
    expect({ role, code: r.code }).toEqual({ role, code: EXIT.notAllowed });
    expect(r.stderr).toMatch(/Chỉ quản trị viên hoặc Ủy ban Kiểm tra mới được kiểm tra/);
  }
  const missing = await verify('inspector', ['khong-co-ho-so']);
  expect(missing.code).toBe(EXIT.notFound);
  expect(missing.stderr).toMatch(/Không tìm thấy hồ sơ/);
});

test('the REST routes: a report with 200 even when tampered, in the OpenAPI document', async () => {
  const caseId = await trail();
  await set(caseId, 3, { at: 1 });
  for (const path of [`/api/audit/verify?caseId=${caseId}`, `/api/cases/${caseId}/audit/verify`]) {
    const r = await as(h, 'inspector', 'GET', path);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ ok: false, checked: ENTRIES, problems: [{ caseId, seq: 3, code: 'changed' }] });
  }
  expect((await as(h, null, 'GET', `/api/audit/verify?caseId=${caseId}`)).statusCode).toBe(401);
  const forbidden = await as(h, 'outsider', 'GET', `/api/audit/verify?caseId=${caseId}`);
  expect(forbidden.statusCode).toBe(403);
  expect(forbidden.json()).toMatchObject({ code: 'FORBIDDEN' });
  expect((await as(h, 'inspector', 'GET', '/api/cases/khong-co-ho-so/audit/verify')).statusCode).toBe(404);
  const doc = (await h.app.inject({ url: '/docs/json' })).json<{ paths: Record<string, unknown> }>();
  expect(Object.keys(doc.paths)).toEqual(
    expect.arrayContaining(['/api/audit/verify', '/api/cases/{caseId}/audit/verify'])
  );
});
