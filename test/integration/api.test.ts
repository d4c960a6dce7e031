/**
 * The REST API on the real servers: sign-in, sessions and CSRF, API tokens, every route's happy path and
 * its refusals, the role × action matrix on a case, request-ID idempotency, hostile and malformed bodies,
 * an outage answered 503, and the OpenAPI document checked by an independent validator and against real
 * answers.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import mongoose from 'mongoose';
import { createModels } from '../../activities/store/models';
import { buildServer } from '../../client/api/server';
import {
  createApiToken,
  createUser,
  resolveApiToken,
  revokeApiToken,
  toActor,
  TOKEN_TRUST_MS,
  TOKEN_USE_RESOLUTION_MS,
  updateUser,
} from '../../client/services/auth';
import { startCase } from '../../client/cases';
import { actOnCaseService, caseDetail, listCases, startCaseService } from '../../client/services/cases';
import { admissionV1, createDefaultRegistry } from '../../domain/processes';
import { runActMatrix } from '../fuzz/matrix';
import { as, PASSWORD, signIn, startApi, type ApiHarness, type RoleName } from '../support/api';
import { advanceTo, plusDays, rid, startAdmission, today, trace } from '../support/cases';
import { eventually, startInProcessWorker, uniqueId } from '../support/env';
import { caseWorkflowId, orgChangedSignal } from '../../workflows/messages';
import { BODY, PERSON } from '../unit/fixtures/org';

let h: ApiHarness;
beforeAll(async () => {
  // A database of its own: some tests count every case and every token, which the run's other suites add to.
  h = await startApi('api', createDefaultRegistry(), { ownDatabase: true });
});
afterAll(async () => {
  await h?.close();
});

const json = (r: { body: string }): Record<string, unknown> => JSON.parse(r.body) as Record<string, unknown>;
function expectError(r: { statusCode: number; body: string }, status: number, code?: string): void {
  expect(r.statusCode).toBe(status);
  const b = json(r);
  expect(typeof b.code).toBe('string');
  expect(typeof b.message).toBe('string');
  expect(r.body).not.toMatch(/at .+\.(ts|js):\d+/); // never a stack
  if (code) expect(b.code).toBe(code);
}

describe('health, docs and authentication', () => {
  test('health, readiness and the docs are public; every /api route needs a signed-in user', async () => {
    expect((await h.app.inject({ url: '/health' })).statusCode).toBe(200);
    expect(json(await h.app.inject({ url: '/ready' })).status).toBe('ready');
    expect((await h.app.inject({ url: '/docs/json' })).statusCode).toBe(200);
    for (const url of ['/api/me', '/api/cases', '/api/inbox', '/api/dashboard', '/api/org/tree', '/api/processes'])
      expectError(await h.app.inject({ url }), 401, 'NOT_SIGNED_IN');
    expectError(await as(h, null, 'POST', '/api/cases', {}), 401, 'NOT_SIGNED_IN');
    expectError(
      await h.app.inject({ url: '/api/me', headers: { authorization: 'Bearer cf_nonsense' } }),
      401,
      'NOT_SIGNED_IN'
    );
  });

  test('sign-in sets a secure session cookie; state changes need the CSRF token; sign-out ends the session', async () => {
    const bad = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: h.usernames.cellSecretary, password: 'sai-mat-khau-roi' },
    });
    expectError(bad, 401, 'BAD_CREDENTIALS');
    const login = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: h.usernames.cellSecretary, password: PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    const body = json(login) as { user: { personId: string }; csrfToken: string };
    expect(body.user.personId).toBe(PERSON.cellSecretary);
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/^cadreflow_session=[A-Za-z0-9_-]{40,};/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = setCookie.split(';')[0] as string;
    // Only the hash of the session id is stored.
    const sessionValue = cookie.split('=')[1] as string;
    expect(await h.models.Session.exists({ _id: sessionValue })).toBeNull();

    const me = await h.app.inject({ url: '/api/me', headers: { cookie } });
    expect(json(me).user).toMatchObject({ username: h.usernames.cellSecretary, personName: 'Đỗ Văn Bình' });

    const tokensBefore = await h.models.ApiToken.countDocuments();
    const noCsrf = await h.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: { cookie },
      payload: { name: 'x' },
    });
    expectError(noCsrf, 403, 'CSRF_INVALID');
    const wrongCsrf = await h.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: { cookie, 'x-csrf-token': 'not-the-token' },
      payload: { name: 'x' },
    });
    expectError(wrongCsrf, 403, 'CSRF_INVALID');
    expect(await h.models.ApiToken.countDocuments()).toBe(tokensBefore);
    const ok = await h.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: { cookie, 'x-csrf-token': body.csrfToken },
      payload: { name: 'máy tính bảng' },
    });
    expect(ok.statusCode).toBe(201);

    const out = await h.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie, 'x-csrf-token': body.csrfToken },
    });
    expect(out.statusCode).toBe(200);
    expectError(await h.app.inject({ url: '/api/me', headers: { cookie } }), 401, 'NOT_SIGNED_IN');
  });

  test('an expired session is refused and removed', async () => {
    const login = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: h.usernames.outsider, password: PASSWORD },
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0] as string;
    await h.models.Session.updateMany({ username: h.usernames.outsider }, { $set: { expiresAt: Date.now() - 1 } });
    expectError(await h.app.inject({ url: '/api/me', headers: { cookie } }), 401, 'NOT_SIGNED_IN');
    expect(await h.models.Session.countDocuments({ username: h.usernames.outsider })).toBe(0);
  });

  test('repeated failed sign-ins are slowed down per user and address, and a good password must wait too', async () => {
    const attempt = (password: string, ip = '10.0.0.7') =>
      h.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: ip,
        payload: { username: h.usernames.grassrootsSecretary, password },
      });
    // Three failures in a row are answered at once; the third makes the next attempt wait.
    for (let i = 0; i < 3; i++) expectError(await attempt('khong-dung-123'), 401, 'BAD_CREDENTIALS');
    const throttled = await attempt(PASSWORD);
    expectError(throttled, 429, 'TOO_MANY_ATTEMPTS');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not held back.
    expect((await attempt(PASSWORD, '10.0.0.8')).statusCode).toBe(200);
  });

  test('the sign-in count is kept in MongoDB: the web form and the API add to it, and another server process sees it', async () => {
    const ip = '10.0.0.9';
    const username = h.usernames.communeStanding;
    // Another server on the same database, as beside this one or after a restart (built first: the wait the
    // third failure sets is one second).
    const other = await buildServer({
      config: { ...h.config, logLevel: 'silent' },
      mongo: h.db,
      temporal: h.temporal,
      models: h.models,
      registry: createDefaultRegistry(),
    });
    try {
      const form = (password: string) =>
        h.app.inject({
          method: 'POST',
          url: '/login',
          remoteAddress: ip,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ username, password, next: '/' }).toString(),
        });
      expect((await form('khong-dung-1')).statusCode).toBe(401);
      expect((await form('khong-dung-2')).statusCode).toBe(401);
      const api = await h.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: ip,
        payload: { username, password: 'khong-dung-3' },
      });
      expectError(api, 401, 'BAD_CREDENTIALS');
      const r = await other.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: ip,
        payload: { username, password: PASSWORD },
      });
      expectError(r, 429, 'TOO_MANY_ATTEMPTS');
      // The web form is held back too, and says for how long.
      const page = await form(PASSWORD);
      expect(page.statusCode).toBe(429);
      expect(Number(page.headers['retry-after'])).toBeGreaterThan(0);
      expect(page.body).toContain('vui lòng thử lại sau');
      // Nothing of the pair is stored in clear.
      const stored = await h.models.LoginFailure.find().lean();
      expect(stored.length).toBeGreaterThan(0);
      expect(JSON.stringify(stored)).not.toContain(ip);
      expect(JSON.stringify(stored)).not.toContain(username);
    } finally {
      await other.close();
    }
  });

  test('API tokens: shown once with the cf_ prefix, stored hashed, listed, revoked', async () => {
    const created = await as(h, 'outsider', 'POST', '/api/tokens', { name: 'tích hợp' });
    expect(created.statusCode).toBe(201);
    const { id, token } = json(created) as { id: string; token: string };
    expect(token).toMatch(/^cf_/);
    expect(await h.models.ApiToken.exists({ tokenHash: token })).toBeNull();
    const list = json(await as(h, 'outsider', 'GET', '/api/tokens')) as { items: { id: string }[] };
    expect(list.items.map((t) => t.id)).toContain(id);
    expect(JSON.stringify(list)).not.toContain(token);
    const viaToken = await h.app.inject({ url: '/api/me', headers: { authorization: `Bearer ${token}` } });
    expect(viaToken.statusCode).toBe(200);
    // Someone else cannot revoke it.
    expectError(await as(h, 'cellSecretary', 'DELETE', `/api/tokens/${id}`), 404);
    expect((await as(h, 'outsider', 'DELETE', `/api/tokens/${id}`)).statusCode).toBe(200);
    expectError(await h.app.inject({ url: '/api/me', headers: { authorization: `Bearer ${token}` } }), 401);
  });

  test('a token is read at most once per TOKEN_TRUST_MS; a revocation through this process counts at once', async () => {
    const watched = await mongoose.createConnection(h.config.mongodbUrl, { monitorCommands: true }).asPromise();
    const reads: string[] = [];
    watched.getClient().on('commandStarted', (e: { commandName: string; command: Record<string, unknown> }) => {
      if (e.commandName === 'find') reads.push(String(e.command.find));
    });
    let clock = Date.now();
    const deps = { ...h.deps, models: createModels(watched), now: () => clock };
    const owner = { username: h.usernames.outsider, personId: PERSON.outsider, isAdmin: false, isInspector: false };
    const lastUsed = async (id: string): Promise<number | undefined> =>
      (await h.models.ApiToken.findById(id).lean<{ lastUsedAt?: number }>())?.lastUsedAt;
    try {
      const { id, token } = await createApiToken(deps, owner, 'tin cậy');
      expect(await resolveApiToken(deps, token)).toEqual(owner);
      expect(reads).toEqual(['api_tokens', 'users']);
      expect(await lastUsed(id)).toBe(clock);
      // Within the time, trusted as read: no read, and "last used" not written.
      clock += TOKEN_TRUST_MS - 1;
      expect(await resolveApiToken(deps, token)).toEqual(owner);
      expect(reads).toHaveLength(2);
      // Past it, read again; "last used" is kept to the minute: written when older than that, not on every read.
      clock += 1;
      expect(await resolveApiToken(deps, token)).toEqual(owner);
      expect(reads).toHaveLength(4);
      expect(await lastUsed(id)).toBe(clock - TOKEN_TRUST_MS);
      clock += TOKEN_USE_RESOLUTION_MS;
      expect(await resolveApiToken(deps, token)).toEqual(owner);
      expect(await lastUsed(id)).toBe(clock);
      // Revoked by another API process (straight in the database): refused once the time is past.
      await h.models.ApiToken.deleteOne({ _id: id });
      expect(await resolveApiToken(deps, token)).toEqual(owner);
      clock += TOKEN_TRUST_MS;
      expect(await resolveApiToken(deps, token)).toBeNull();
      // Revoked through this process: refused at once.
      const second = await createApiToken(deps, owner, 'thu hồi');
      expect(await resolveApiToken(deps, second.token)).toEqual(owner);
      await revokeApiToken(deps, owner, second.id);
      expect(await resolveApiToken(deps, second.token)).toBeNull();
    } finally {
      await watched.close();
    }
  });

  test("a user deactivated or given other rights through this process: the user's tokens are read again", async () => {
    const deps = h.deps;
    const username = `${uniqueId('t').slice(-12)}`.toLowerCase().replace(/[^a-z0-9]/g, '');
    const user = await createUser(deps, null, { username, password: 'mot-mat-khau-dai', personId: PERSON.introducer1 });
    const actor = toActor({ ...user, username: user.username });
    const { token } = await createApiToken(deps, actor, 'quyền');
    const admin = { username: h.usernames.admin, personId: 'qt-admin', isAdmin: true, isInspector: false };
    expect(await resolveApiToken(deps, token)).toMatchObject({ isInspector: false });
    await updateUser(deps, admin, username, { isInspector: true });
    expect(await resolveApiToken(deps, token)).toMatchObject({ isInspector: true });
    await updateUser(deps, admin, username, { active: false });
    expect(await resolveApiToken(deps, token)).toBeNull();
  });

  test('users are managed by administrators only; a deactivated user is signed out everywhere', async () => {
    const username = `${uniqueId('u').slice(-12)}`.toLowerCase().replace(/[^a-z0-9]/g, '');
    const body = { username, password: 'mot-mat-khau-dai', personId: PERSON.introducer1 };
    expectError(await as(h, 'cellSecretary', 'POST', '/api/users', body), 403, 'FORBIDDEN');
    expectError(await as(h, 'inspector', 'POST', '/api/users', body), 403, 'READ_ONLY');
    expect((await as(h, 'admin', 'POST', '/api/users', body)).statusCode).toBe(201);
    expectError(await as(h, 'admin', 'POST', '/api/users', body), 409, 'USER_EXISTS');
    expectError(
      await as(h, 'admin', 'POST', '/api/users', { ...body, username: `${username}x`, personId: 'khong-co' }),
      422
    );
    const t = await as(h, 'admin', 'GET', '/api/users');
    expect((json(t).items as { username: string }[]).some((u) => u.username === username)).toBe(true);
    const login = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username, password: body.password },
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0] as string;
    expect((await as(h, 'admin', 'PATCH', `/api/users/${username}`, { active: false })).statusCode).toBe(200);
    expectError(await h.app.inject({ url: '/api/me', headers: { cookie } }), 401);
  });
});

describe('organisation, processes and calendar', () => {
  test('the tree on a date, people, roles and delegations; administrators edit, checked by the domain', async () => {
    const tree = json(await as(h, 'outsider', 'GET', '/api/org/tree?onDate=2025-08-01')) as {
      roots: { id: string; children: { id: string }[] }[];
    };
    expect(tree.roots.map((r) => r.id)).toContain(BODY.province);
    expect(tree.roots.find((r) => r.id === BODY.province)?.children.map((c) => c.id)).toContain(BODY.commune);
    const people = json(await as(h, 'inspector', 'GET', '/api/org/people')) as { items: { id: string }[] };
    expect(people.items.map((p) => p.id)).toContain(PERSON.cellSecretary);

    const newPerson = { name: 'Trần Văn Mới', email: 'tvm@duyxuyen.example.vn' };
    const pid = uniqueId('p').toLowerCase();
    expectError(await as(h, 'cellSecretary', 'PUT', `/api/org/people/${pid}`, newPerson), 403, 'FORBIDDEN');
    expectError(await as(h, 'inspector', 'PUT', `/api/org/people/${pid}`, newPerson), 403, 'READ_ONLY');
    expect((await as(h, 'admin', 'PUT', `/api/org/people/${pid}`, newPerson)).statusCode).toBe(200);

    const role = { personId: pid, bodyId: BODY.cell, role: 'officialMember', from: '2025-09-01' };
    const added = await as(h, 'admin', 'POST', '/api/org/roles', role);
    expect(added.statusCode).toBe(201);
    expectError(await as(h, 'admin', 'POST', '/api/org/roles', role), 409, 'CONFLICT');
    expectError(
      await as(h, 'admin', 'POST', '/api/org/roles', { ...role, personId: 'nobody-at-all' }),
      422,
      'ORG_INVALID'
    );
    const roleId = json(added).id as string;
    const ended = await as(h, 'admin', 'PATCH', `/api/org/roles/${encodeURIComponent(roleId)}`, { to: '2025-12-31' });
    expect(json(ended).to).toBe('2025-12-31');
    const roles = json(await as(h, 'outsider', 'GET', `/api/org/roles?personId=${pid}`)) as { items: unknown[] };
    expect(roles.items).toHaveLength(1);

    const delegation = {
      id: uniqueId('uq'),
      fromPersonId: PERSON.cellSecretary,
      toPersonId: PERSON.cellDeputy,
      from: today(),
      to: plusDays(today(), 5),
    };
    expectError(await as(h, 'outsider', 'POST', '/api/org/delegations', delegation), 403, 'FORBIDDEN');
    expect((await as(h, 'cellSecretary', 'POST', '/api/org/delegations', delegation)).statusCode).toBe(201);
    const ds = json(await as(h, 'cellSecretary', 'GET', `/api/org/delegations?personId=${PERSON.cellDeputy}`)) as {
      items: { id: string }[];
    };
    expect(ds.items.map((d) => d.id)).toContain(delegation.id);
    expect((await as(h, 'cellSecretary', 'DELETE', `/api/org/delegations/${delegation.id}`)).statusCode).toBe(200);
    expectError(await as(h, 'cellSecretary', 'DELETE', `/api/org/delegations/${delegation.id}`), 404);
  });

  test('process versions: read by all, a new version by administrators only, validated by the domain', async () => {
    const list = json(await as(h, 'outsider', 'GET', '/api/processes')) as { items: { key: string }[] };
    expect(list.items.map((p) => p.key)).toEqual(expect.arrayContaining(['admission', 'planning']));
    const admission = json(await as(h, 'outsider', 'GET', '/api/processes/admission')) as {
      versions: { version: number }[];
    };
    expect(admission.versions[0]?.version).toBe(1);
    expectError(await as(h, 'outsider', 'GET', '/api/processes/khong-co'), 404);

    const edit = { effectiveFrom: '2099-01-01', changes: { titleVi: 'Chỉ định bổ sung cấp ủy viên (sửa đổi)' } };
    expectError(await as(h, 'communeStanding', 'POST', '/api/processes/personnel-designation/versions', edit), 403);
    expectError(
      await as(h, 'inspector', 'POST', '/api/processes/personnel-designation/versions', edit),
      403,
      'READ_ONLY'
    );
    expectError(
      await as(h, 'admin', 'POST', '/api/processes/personnel-designation/versions', {
        ...edit,
        changes: { steps: { NO_SUCH_STEP: { title: 'x' } } },
      }),
      422,
      'DEFINITION_INVALID'
    );
    // A rule confirmed against the official text (C11: 60 working days) changes only with a new legal basis.
    const c11 = admissionV1.steps.find((s) => s.id === 'C11')!;
    const confirmed = await as(h, 'admin', 'POST', '/api/processes/admission/versions', {
      effectiveFrom: '2099-01-01',
      changes: { steps: { C11: { deadline: { ...c11.deadline!, period: { unit: 'workingDays', n: 90 } } } } },
    });
    expectError(confirmed, 422, 'DEFINITION_INVALID');
    expect((json(confirmed) as { message: string }).message).toMatch(/^Bước C11: thời hạn đã được xác nhận/);
    const created = await as(h, 'admin', 'POST', '/api/processes/personnel-designation/versions', edit);
    expect(created.statusCode).toBe(201);
    expect(json(created)).toMatchObject({ version: 2, effectiveFrom: '2099-01-01', titleVi: edit.changes.titleVi });
    expectError(await as(h, 'admin', 'POST', '/api/processes/personnel-designation/versions', edit), 409, 'CONFLICT');
    const after = json(await as(h, 'outsider', 'GET', '/api/processes/personnel-designation')) as {
      versions: { version: number }[];
    };
    expect(after.versions.map((v) => v.version)).toEqual([1, 2]);
  });

  test('the yearly calendar: shipped years listed, an administrator stores a validated year', async () => {
    const years = json(await as(h, 'outsider', 'GET', '/api/calendar/years')) as { items: { year: number }[] };
    expect(years.items.map((y) => y.year)).toEqual(expect.arrayContaining([2025, 2026]));
    const schedule = {
      daysOff: ['2027-01-01', '2027-02-08', '2027-02-09'],
      workingDays: ['2027-01-09'],
      basis: { citation: 'Thông báo thử nghiệm về lịch nghỉ năm 2027', effectiveFrom: '2027-01-01', confirmed: false },
    };
    expectError(await as(h, 'inspector', 'PUT', '/api/calendar/years/2027', schedule), 403, 'READ_ONLY');
    expectError(await as(h, 'orgBoardSpecialist', 'PUT', '/api/calendar/years/2027', schedule), 403, 'FORBIDDEN');
    expectError(
      await as(h, 'admin', 'PUT', '/api/calendar/years/2027', { ...schedule, workingDays: ['2027-01-05'] }),
      422,
      'SCHEDULE_WORKING_DAY_NOT_WEEKEND'
    );
    const put = await as(h, 'admin', 'PUT', '/api/calendar/years/2027', schedule);
    expect(put.statusCode).toBe(200);
    expect(json(await as(h, 'outsider', 'GET', '/api/calendar/years/2027'))).toMatchObject({ source: 'stored' });
    expect((await as(h, 'admin', 'DELETE', '/api/calendar/years/2027')).statusCode).toBe(200);
    expectError(await as(h, 'outsider', 'GET', '/api/calendar/years/2027'), 404);
  });
});

/** The cell's secretary as the services see a signed-in user. */
function cellSecretaryActor() {
  return { username: h.usernames.cellSecretary, personId: PERSON.cellSecretary, isAdmin: false, isInspector: false };
}

/** The body of a start of an admission case in the cell, under a request ID of its own. */
function admissionStart(subjectName: string) {
  return {
    requestId: rid(),
    process: 'admission',
    title: `Kết nạp đảng viên: ${subjectName}`,
    caseUnitId: BODY.cell,
    subjectName,
  };
}

describe('cases', () => {
  test('start, repeat the start, list, filter, detail with audit verification, inbox, dashboard', async () => {
    const body = admissionStart('Lê Thị Bình');
    const first = await as(h, 'cellSecretary', 'POST', '/api/cases', body);
    expect(first.statusCode).toBe(201);
    const again = await as(h, 'cellSecretary', 'POST', '/api/cases', body);
    expect(again.statusCode).toBe(200);
    expect(json(again)).toMatchObject({ caseId: json(first).caseId, created: false });
    const caseId = json(first).caseId as string;
    await eventually('the projection', () => h.models.Case.exists({ _id: caseId }));
    expect(await h.models.Case.countDocuments({ title: body.title })).toBe(1);

    // Someone who may not act on the first step may not start the case.
    expectError(await as(h, 'outsider', 'POST', '/api/cases', { ...body, requestId: rid() }), 403, 'NOT_AUTHORISED');
    expectError(await as(h, 'inspector', 'POST', '/api/cases', { ...body, requestId: rid() }), 403, 'READ_ONLY');
    expectError(
      await as(h, 'cellSecretary', 'POST', '/api/cases', { ...body, requestId: rid(), process: 'khong-co' }),
      404
    );

    const list = json(await as(h, 'inspector', 'GET', '/api/cases?process=admission&status=open&pageSize=100')) as {
      items: { caseId: string; overdue: boolean }[];
      total: number;
    };
    expect(list.items.map((c) => c.caseId)).toContain(caseId);
    const byCommittee = json(
      await as(h, 'inspector', 'GET', `/api/cases?committeeId=${BODY.commune}&pageSize=100`)
    ) as {
      items: { caseId: string }[];
    };
    expect(byCommittee.items.map((c) => c.caseId)).toContain(caseId);
    const overdue = json(await as(h, 'inspector', 'GET', '/api/cases?overdue=true&pageSize=100')) as {
      items: { caseId: string }[];
    };
    expect(overdue.items.map((c) => c.caseId)).not.toContain(caseId);
    expectError(await as(h, 'inspector', 'GET', '/api/cases?pageSize=1000'), 400, 'INVALID_REQUEST');

    const detail = json(await as(h, 'inspector', 'GET', `/api/cases/${caseId}`)) as {
      case: { caseId: string };
      steps: { stepId: string }[];
      audit: { seq: number }[];
      verification: { ok: boolean; checked: number };
    };
    expect(detail.case.caseId).toBe(caseId);
    expect(detail.steps[0]?.stepId).toBe('C1');
    expect(detail.audit.length).toBeGreaterThan(0);
    expect(detail.verification).toMatchObject({ ok: true, checked: detail.audit.length });
    expectError(await as(h, 'inspector', 'GET', '/api/cases/khong-co-ho-so'), 404, 'CASE_NOT_FOUND');

    const inbox = json(await as(h, 'cellSecretary', 'GET', '/api/inbox?pageSize=100')) as {
      items: { caseId: string }[];
    };
    expect(inbox.items.map((c) => c.caseId)).toContain(caseId);
    const notMine = json(await as(h, 'outsider', 'GET', '/api/inbox')) as { items: unknown[] };
    expect(notMine.items).toHaveLength(0);

    const dash = json(await as(h, 'provincialStanding', 'GET', '/api/dashboard')) as {
      items: { committeeId: string; committeeName: string; open: number }[];
    };
    const row = dash.items.find((r) => r.committeeId === BODY.commune);
    expect(row?.open).toBeGreaterThan(0);
    expect(row?.committeeName).toBe('Đảng ủy xã Duy Xuyên');
  });

  test('who reads a case: its own part of the tree, the provincial bodies and the Inspection Committee; to others it does not exist', async () => {
    const caseId = await startAdmission(h);
    const readers: RoleName[] = [
      'cellSecretary',
      'grassrootsSecretary',
      'communeStanding',
      'orgBoardSpecialist',
      'provincialStanding',
      'admin',
      'inspector',
    ];
    for (const role of readers) {
      expect([role, (await as(h, role, 'GET', `/api/cases/${caseId}`)).statusCode]).toEqual([role, 200]);
      const list = json(await as(h, role, 'GET', '/api/cases?pageSize=100')) as { items: { caseId: string }[] };
      expect([role, list.items.some((c) => c.caseId === caseId)]).toEqual([role, true]);
    }
    // Someone with no role in the tree: the same answer as for a case that does not exist, and nothing listed.
    expectError(await as(h, 'outsider', 'GET', `/api/cases/${caseId}`), 404, 'CASE_NOT_FOUND');
    const none = json(await as(h, 'outsider', 'GET', '/api/cases?pageSize=100')) as { items: unknown[]; total: number };
    expect(none).toMatchObject({ items: [], total: 0 });
    expect(json(await as(h, 'outsider', 'GET', '/api/dashboard'))).toEqual({ items: [] });
    expectError(await as(h, 'outsider', 'GET', `/api/cases/${caseId}/audit/verify`), 403);

    // The applicant, whose role in the cell reads no case of it, reads the case while it waits for them
    // (C3–C4) and, once they have acted on it, by their own entries in its audit trail.
    const applicant = { username: 'ung-vien', personId: PERSON.applicant, isAdmin: false, isInspector: false };
    await expect(caseDetail(h.deps, applicant, caseId)).rejects.toMatchObject({ status: 404 });
    await advanceTo(h, 'admission', caseId, 'C3');
    expect((await caseDetail(h.deps, applicant, caseId)).case.caseId).toBe(caseId);
    expect((await listCases(h.deps, applicant, {})).items.map((c) => c.caseId)).toEqual([caseId]);
    await advanceTo(h, 'admission', caseId, 'C5');
    expect((await caseDetail(h.deps, applicant, caseId)).case.caseId).toBe(caseId);
    expect((await listCases(h.deps, applicant, {})).items).toEqual([]);
  });

  test('a change of the tree is signalled to the open cases it concerns, and to no other', async () => {
    const cellCase = await startAdmission(h);
    const started = await as(h, 'admin', 'POST', '/api/cases', {
      requestId: rid(),
      process: 'planning',
      title: 'Quy hoạch — thay đổi tổ chức',
      caseUnitId: BODY.commune,
    });
    expect(started.statusCode).toBe(201);
    const communeCase = json(started).caseId as string;
    await eventually('the planning projection', () => h.models.Case.exists({ _id: communeCase }));
    const signals = async (process: string, caseId: string): Promise<number> => {
      const history = await h.temporal.client.workflow.getHandle(caseWorkflowId(process, caseId)).fetchHistory();
      return (history.events ?? []).filter(
        (e) => e.workflowExecutionSignaledEventAttributes?.signalName === orgChangedSignal.name
      ).length;
    };
    const counts = async (): Promise<[number, number]> => [
      await signals('admission', cellCase),
      await signals('planning', communeCase),
    ];
    // A signal that arrives while the case's workflow is working is written to its history when that work ends.
    const reach = (expected: [number, number]) =>
      eventually(`signals ${expected.join(', ')}`, async () => {
        const now = await counts();
        return now[0] === expected[0] && now[1] === expected[1];
      }).catch(async (e: unknown) => {
        expect(await counts()).toEqual(expected);
        throw e;
      });
    const [cell0, commune0] = await counts();

    const pid = uniqueId('p-tb').toLowerCase();
    await as(h, 'admin', 'PUT', `/api/org/people/${pid}`, { name: 'Lê Văn Báo', email: 'lvb@duyxuyen.example.vn' });
    // A role in the cell concerns the cell's cases, not the commune's.
    const inCell = { personId: pid, bodyId: BODY.cell, role: 'officialMember', from: today() };
    expect((await as(h, 'admin', 'POST', '/api/org/roles', inCell)).statusCode).toBe(201);
    await reach([cell0 + 1, commune0]);
    // A role in the commune's Organization Board concerns every case under the commune, the cell's too.
    const inBoard = { personId: pid, bodyId: BODY.communeOrgBoard, role: 'specialist', from: today() };
    expect((await as(h, 'admin', 'POST', '/api/org/roles', inBoard)).statusCode).toBe(201);
    await reach([cell0 + 2, commune0 + 1]);
    // Nothing more arrives later.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await counts()).toEqual([cell0 + 2, commune0 + 1]);
  });

  test('the inbox puts the soonest due first and shows what I act on by delegation', async () => {
    const caseId = await startAdmission(h);
    await advanceTo(h, 'admission', caseId, 'C11'); // due 60 working days after C8: the commune standing board acts
    const deputyDelegation = {
      id: uniqueId('uq'),
      fromPersonId: PERSON.communeSecretary,
      toPersonId: PERSON.communeStandingMember,
      from: today(),
      to: plusDays(today(), 3),
    };
    expect((await as(h, 'communeStanding', 'POST', '/api/org/delegations', deputyDelegation)).statusCode).toBe(201);
    const mine = json(await as(h, 'communeStanding', 'GET', '/api/inbox?pageSize=100')) as {
      items: { caseId: string; dueAt?: number }[];
    };
    expect(mine.items.map((c) => c.caseId)).toContain(caseId);
    const dues = mine.items.map((c) => c.dueAt ?? Infinity);
    expect(dues).toEqual([...dues].sort((a, b) => a - b));
    // Tài (standing member) acts for the secretary by delegation today: the case is in his inbox too.
    const deps = h.deps;
    const { inbox } = await import('../../client/services');
    const forDelegate = await inbox(
      deps,
      { username: 'x', personId: PERSON.communeStandingMember, isAdmin: false, isInspector: false },
      { pageSize: 100 }
    );
    expect(forDelegate.items.map((c) => c.caseId)).toContain(caseId);
    const detail = json(await as(h, 'inspector', 'GET', `/api/cases/${caseId}`)) as { deadlineText?: string };
    expect(detail.deadlineText).toMatch(/^60 ngày làm việc — hạn \d{2}\/\d{2}\/\d{4}$/);
    await as(h, 'communeStanding', 'DELETE', `/api/org/delegations/${deputyDelegation.id}`);
  });

  test('a case ID names one case: no other process starts under it, and starting it again rewrites nothing', async () => {
    // Found next to the fuzz: a planning case started under an admission case's ID ran beside it on the same
    // record and audit trail; and a repeated start rewrote the admission's sector.
    const caseId = uniqueId('mot-ho-so').replace(/[^A-Za-z0-9._-]/g, '-');
    const start = (role: RoleName, body: Record<string, unknown>) =>
      as(h, role, 'POST', '/api/cases', { requestId: rid(), title: 'Một mã, một hồ sơ', caseId, ...body });
    const first = await start('cellSecretary', { process: 'admission', caseUnitId: BODY.cell, sector: 'schoolStaff' });
    expect(first.statusCode).toBe(201);
    const before = await trace(h, caseId);
    const subject = await h.models.AdmissionSubject.findOne({ caseId }).lean();
    expect(subject?.sector).toBe('schoolStaff');

    expectError(await start('admin', { process: 'planning', caseUnitId: BODY.commune }), 409, 'CONFLICT');
    await expect(h.temporal.client.workflow.getHandle(`planning:${caseId}`).describe()).rejects.toThrow();
    const again = await start('cellSecretary', {
      process: 'admission',
      caseUnitId: BODY.cell,
      sector: 'stateEnterprise',
    });
    expect(json(again)).toMatchObject({ caseId, created: false });
    expect((await h.models.AdmissionSubject.findOne({ caseId }).lean())?.sector).toBe('schoolStaff');
    expect(await trace(h, caseId)).toEqual(before);
  });

  test('a start sent again after its case has ended starts nothing: the ended case, its record and trail stay', async () => {
    const body = admissionStart('Phan Văn Dũng');
    const first = await as(h, 'cellSecretary', 'POST', '/api/cases', body);
    expect(first.statusCode).toBe(201);
    const caseId = json(first).caseId as string;
    const withdraw = { requestId: rid(), command: { type: 'withdraw', reason: 'Quần chúng xin rút hồ sơ' } };
    expect((await as(h, 'cellSecretary', 'POST', `/api/cases/${caseId}/acts`, withdraw)).statusCode).toBe(200);
    const handle = h.temporal.client.workflow.getHandle(caseWorkflowId('admission', caseId));
    await handle.result();
    const ended = await trace(h, caseId);
    const { runId } = await handle.describe();

    const again = await as(h, 'cellSecretary', 'POST', '/api/cases', body);
    expect(again.statusCode).toBe(200);
    expect(json(again)).toMatchObject({ caseId, created: false });
    const now = await handle.describe();
    expect({ runId: now.runId, status: now.status.name }).toEqual({ runId, status: 'COMPLETED' });
    expect(await trace(h, caseId)).toEqual(ended);
    expect((await h.models.Case.findById(caseId).lean())?.status).toBe('withdrawn');
  });

  test("a start is answered once the case's record is written, and asks the database nothing while it waits", async () => {
    const watched = await mongoose.createConnection(h.config.mongodbUrl, { monitorCommands: true }).asPromise();
    const caseReads: string[] = [];
    watched.getClient().on('commandStarted', (e: { commandName: string; command: Record<string, unknown> }) => {
      if (['find', 'aggregate', 'count'].includes(e.commandName) && e.command[e.commandName] === 'cases')
        caseReads.push(e.commandName);
    });
    try {
      const deps = { ...h.deps, models: createModels(watched) };
      const actor = cellSecretaryActor();
      const r = await startCaseService(deps, actor, {
        requestId: rid(),
        process: 'admission',
        title: 'Kết nạp đảng viên: Lê Thị Hoa',
        caseUnitId: BODY.cell,
      });
      expect(r.created).toBe(true);
      // Only the look for another process's case under the ID, before the start.
      expect(caseReads).toEqual(['find']);
      expect(await h.models.Case.findById(r.caseId).lean()).toMatchObject({
        status: 'open',
        currentStepId: 'C1',
      });
    } finally {
      await watched.close();
    }
  });

  test('with no worker to run it, a start is answered after the wait, started once; the same start again creates nothing', async () => {
    const caseId = uniqueId('khong-worker').replace(/[^A-Za-z0-9_-]/g, '-');
    const taskQueue = uniqueId('no-worker');
    const o = {
      process: 'admission' as const,
      caseId,
      title: 'Chưa có tiến trình xử lý',
      caseUnitId: BODY.cell,
      taskQueue,
    };
    const deps = { client: h.temporal.client, registry: createDefaultRegistry() };
    const handle = h.temporal.client.workflow.getHandle(caseWorkflowId('admission', caseId));
    try {
      const t0 = Date.now();
      expect(await startCase(deps, o, 1_500)).toEqual({
        workflowId: handle.workflowId,
        created: true,
        recorded: false,
      });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1_400);
      expect(await startCase(deps, o, 1_500)).toEqual({ workflowId: handle.workflowId, created: false });
      const { status } = await handle.describe();
      expect(status.name).toBe('RUNNING');
      expect(await h.models.Case.exists({ _id: caseId })).toBeNull();
    } finally {
      await handle.terminate('test: no worker runs this queue').catch(() => undefined);
    }
  });

  test("an act on a case whose record is not written yet waits for the case's worker, and is applied", async () => {
    const caseId = uniqueId('chua-ghi').replace(/[^A-Za-z0-9_-]/g, '-');
    const taskQueue = uniqueId('late-worker');
    // What the API's start does when no worker takes the case in time: the key taken, the case started, the start
    // answered without its record.
    await h.models.CaseKey.create({ _id: caseId, process: 'admission', takenAt: new Date() });
    const deps = { client: h.temporal.client, registry: createDefaultRegistry() };
    const o = { process: 'admission' as const, caseId, title: 'Chưa ghi hồ sơ', caseUnitId: BODY.cell, taskQueue };
    expect(await startCase(deps, o, 500)).toMatchObject({ created: true, recorded: false });
    const handle = h.temporal.client.workflow.getHandle(caseWorkflowId('admission', caseId));
    let late: Awaited<ReturnType<typeof startInProcessWorker>> | undefined;
    try {
      const act = as(h, 'cellSecretary', 'POST', `/api/cases/${caseId}/acts`, {
        requestId: rid(),
        command: { type: 'approve', note: 'Đồng ý đưa vào danh sách' },
      });
      // Not refused while nothing is written: it waits.
      const early = await Promise.race([act, new Promise((r) => setTimeout(() => r('waiting'), 1_500))]);
      expect(early).toBe('waiting');
      late = await startInProcessWorker({ ...h.config, temporal: { ...h.config.temporal, taskQueue } });
      const r = await act;
      expect(r.statusCode).toBe(200);
      expect(json(r).current).toMatchObject({ stepId: 'C2' });
      await eventually('the record', async () => (await h.models.Case.findById(caseId).lean())?.currentStepId === 'C2');
    } finally {
      await handle.terminate('test: done').catch(() => undefined);
      await late?.shutdown();
    }
  });

  test('an act on a case this API process started reads nothing for its process', async () => {
    const watched = await mongoose.createConnection(h.config.mongodbUrl, { monitorCommands: true }).asPromise();
    let reads = 0;
    watched.getClient().on('commandStarted', (e: { commandName: string; command: Record<string, unknown> }) => {
      if (e.commandName === 'find' && (e.command.find === 'cases' || e.command.find === 'case_keys')) reads += 1;
    });
    try {
      const deps = { ...h.deps, models: createModels(watched) };
      const actor = cellSecretaryActor();
      const { caseId } = await startCaseService(deps, actor, admissionStart('Phan Văn Cường'));
      const before = reads;
      const act = { requestId: rid(), command: { type: 'approve' as const, note: 'Đồng ý đưa vào danh sách' } };
      expect(await actOnCaseService(deps, actor, caseId, act)).toMatchObject({ current: { stepId: 'C2' } });
      expect(reads).toBe(before);
    } finally {
      await watched.close();
    }
  });

  test('two starts of different processes under one ID at once: one is started, the other refused', async () => {
    for (let round = 0; round < 3; round++) {
      const caseId = uniqueId('cung-luc').replace(/[^A-Za-z0-9_-]/g, '-');
      const [a, b] = await Promise.all([
        as(h, 'cellSecretary', 'POST', '/api/cases', {
          requestId: rid(),
          process: 'admission',
          title: 'Hai lần khởi tạo cùng lúc',
          caseId,
          caseUnitId: BODY.cell,
        }),
        as(h, 'admin', 'POST', '/api/cases', {
          requestId: rid(),
          process: 'planning',
          title: 'Hai lần khởi tạo cùng lúc',
          caseId,
          caseUnitId: BODY.commune,
        }),
      ]);
      expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
      const loser = a.statusCode === 409 ? 'admission' : 'planning';
      await expect(h.temporal.client.workflow.getHandle(`${loser}:${caseId}`).describe()).rejects.toThrow();
      expect((await h.models.CaseKey.findById(caseId).lean())?.process).toBe(
        loser === 'admission' ? 'planning' : 'admission'
      );
    }
  });

  test('a chosen case ID may not have a dot: those are the IDs of cases the system starts itself', async () => {
    const caseId = await startAdmission(h);
    const r = await as(h, 'admin', 'POST', '/api/cases', {
      requestId: rid(),
      process: 'planning',
      title: 'Mã trùng hồ sơ công nhận chính thức',
      caseId: `${caseId}.cn`,
      caseUnitId: BODY.commune,
    });
    expectError(r, 400, 'INVALID_REQUEST');
    expect(await h.models.CaseKey.exists({ _id: `${caseId}.cn` })).toBeNull();
    // The service refuses it too, for callers other than the API (its own message, in Vietnamese).
    const admin = { username: h.usernames.admin, personId: 'qt-admin', isAdmin: true, isInspector: false };
    const direct = startCaseService(h.deps, admin, {
      requestId: rid(),
      process: 'planning',
      title: 'Mã trùng hồ sơ công nhận chính thức',
      caseId: `${caseId}.cn`,
      caseUnitId: BODY.commune,
    });
    await expect(direct).rejects.toMatchObject({ status: 422, code: 'INVALID_INPUT' });
    await expect(direct).rejects.toThrow(/không được chứa dấu chấm/);
  });

  test('an act repeated with the same request ID is applied once', async () => {
    const caseId = await startAdmission(h);
    const act = { requestId: rid(), command: { type: 'approve', note: 'Đồng ý đưa vào danh sách' } };
    const first = await as(h, 'cellSecretary', 'POST', `/api/cases/${caseId}/acts`, act);
    expect(first.statusCode).toBe(200);
    const after = await eventually('the projection', async () => {
      const t = await trace(h, caseId);
      return t.revision >= (json(first).revision as number) && t;
    });
    const again = await as(h, 'cellSecretary', 'POST', `/api/cases/${caseId}/acts`, act);
    expect(again.statusCode).toBe(200);
    expect(json(again).revision).toBe(json(first).revision);
    expect(await trace(h, caseId)).toEqual(after);
  });

  test("an act reads the case's process once: acting on it again asks the database nothing for it", async () => {
    const caseId = await startAdmission(h);
    const watched = await mongoose.createConnection(h.config.mongodbUrl, { monitorCommands: true }).asPromise();
    const caseReads: string[] = [];
    watched.getClient().on('commandStarted', (e: { commandName: string; command: Record<string, unknown> }) => {
      if (e.commandName === 'find' && e.command.find === 'cases') caseReads.push(JSON.stringify(e.command.filter));
    });
    try {
      const deps = { ...h.deps, models: createModels(watched) };
      const actor = cellSecretaryActor();
      const act = { requestId: rid(), command: { type: 'approve' as const, note: 'Đồng ý đưa vào danh sách' } };
      const first = await actOnCaseService(deps, actor, caseId, act);
      expect(caseReads).toHaveLength(1);
      // The same request again (answered as the first) and a refused one: the process is known.
      expect(await actOnCaseService(deps, actor, caseId, act)).toEqual(first);
      await expect(
        actOnCaseService(deps, actor, caseId, { requestId: rid(), command: { type: 'approve' } })
      ).rejects.toMatchObject({ code: expect.any(String) });
      expect(caseReads).toHaveLength(1);
      // A case that does not exist is looked for each time, and not found.
      for (let i = 0; i < 2; i++)
        await expect(actOnCaseService(deps, actor, `${caseId}-none`, act)).rejects.toMatchObject({
          status: 404,
          code: 'CASE_NOT_FOUND',
        });
      expect(caseReads).toHaveLength(3);
    } finally {
      await watched.close();
    }
  });

  test('malformed, hostile, oversize and unknown-field bodies are refused with 4xx and change nothing', async () => {
    const caseId = await startAdmission(h);
    const before = await trace(h, caseId);
    const casesBefore = await h.models.Case.countDocuments();
    const post = (payload: unknown, headers: Record<string, string> = {}) =>
      as(h, 'cellSecretary', 'POST', `/api/cases/${caseId}/acts`, payload, headers);
    const good = { requestId: rid(), command: { type: 'approve' } };

    expectError(await post('{"requestId": "abcdefgh", "command": ', { 'content-type': 'application/json' }), 400);
    expectError(await post({ ...good, command: { type: 'approve', note: { $gt: '' } } }), 400, 'INVALID_REQUEST');
    expectError(await post({ ...good, requestId: { $gt: '' } }), 400, 'INVALID_REQUEST');
    expectError(await post({ ...good, $where: 'sleep(1000)' }), 400, 'INVALID_REQUEST');
    expectError(await post({ ...good, personId: PERSON.grassrootsSecretary }), 400, 'INVALID_REQUEST');
    expectError(await post({ ...good, command: { type: 'approve', extra: 1 } }), 400, 'INVALID_REQUEST');
    expectError(await post({ ...good, command: { type: 'sign' } }), 400, 'INVALID_REQUEST');
    expectError(await post({ ...good, requestId: 'short' }), 400, 'INVALID_REQUEST');
    expectError(await post({ command: { type: 'approve' } }), 400, 'INVALID_REQUEST');
    expectError(
      await post({ ...good, command: { type: 'approve', note: 'x'.repeat(300 * 1024) } }),
      413,
      'PAYLOAD_TOO_LARGE'
    );
    const text = await post(JSON.stringify(good), { 'content-type': 'text/plain' });
    expect([400, 415]).toContain(text.statusCode);
    expectError(
      await as(h, 'cellSecretary', 'POST', '/api/cases', {
        requestId: rid(),
        process: 'admission',
        title: { $gt: '' },
        caseUnitId: BODY.cell,
      }),
      400,
      'INVALID_REQUEST'
    );
    expectError(
      await as(h, 'cellSecretary', 'POST', '/api/cases', {
        requestId: rid(),
        process: 'admission',
        title: 'x',
        caseUnitId: { $ne: null },
      }),
      400
    );
    expectError(await as(h, 'inspector', 'GET', '/api/cases?status[$ne]=open'), 400);
    expect(await trace(h, caseId)).toEqual(before);
    expect(await h.models.Case.countDocuments()).toBe(casesBefore);
  });

  test('the web forms take url-encoded forms only: JSON or text is refused with 415, never a 500', async () => {
    // Found by the fuzz: a JSON body reached the form handlers, and a field that was not a string failed in them.
    const caseId = await startAdmission(h);
    const before = await trace(h, caseId);
    const { cookie, csrfToken } = await signIn(h, 'cellSecretary');
    for (const [contentType, payload] of [
      ['application/json', JSON.stringify({ _csrf: csrfToken, note: false })],
      ['application/json', JSON.stringify({ _csrf: csrfToken, note: 'Đồng ý' })],
      ['text/plain', `_csrf=${csrfToken}&note=x`],
    ] as const) {
      const r = await h.app.inject({
        method: 'POST',
        url: `/cases/${caseId}/act/approve`,
        headers: { cookie, 'content-type': contentType },
        payload,
      });
      expect({ contentType, payload, status: r.statusCode }).toEqual({ contentType, payload, status: 415 });
    }
    const login = await h.app.inject({ method: 'POST', url: '/login', payload: { username: false, password: 1 } });
    expect(login.statusCode).toBe(415);
    expect(await trace(h, caseId)).toEqual(before);
  });

  test('the pages take no case ID or list filter the API would refuse: 404 or an empty list, never a 500', async () => {
    // Found by the fuzz: a NUL in a page's case ID or filter reached the database, which failed the query.
    const { cookie, csrfToken } = await signIn(h, 'admin');
    const page = (url: string, payload?: string) =>
      h.app.inject({
        method: payload === undefined ? 'GET' : 'POST',
        url,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        ...(payload === undefined ? {} : { payload }),
      });
    for (const url of ['/cases/%00', '/cases/a%00b', '/cases/%00/act/approve'])
      expect({ url, status: (await page(url)).statusCode }).toEqual({ url, status: 404 });
    expect((await page('/cases/%00/act/approve', `_csrf=${csrfToken}`)).statusCode).toBe(404);
    for (const url of ['/cases?status=%00', '/cases?committeeId=a%00', '/cases?process=%00', '/cases?page=1e308'])
      expect({ url, status: (await page(url)).statusCode }).toEqual({ url, status: 200 });
  });

  test('a MongoDB outage answers 503 with Retry-After, never 500', async () => {
    // As client/api/main.ts connects: no buffering, so the outage fails fast.
    const dead = mongoose.createConnection('mongodb://127.0.0.1:1/cadreflow', {
      serverSelectionTimeoutMS: 300,
      bufferCommands: false,
    });
    dead.on('error', () => undefined);
    const app = await buildServer({
      config: { ...h.config, logLevel: 'silent' },
      mongo: dead,
      temporal: h.temporal,
      models: createModels(dead),
      registry: createDefaultRegistry(),
    });
    try {
      const r = await app.inject({ url: '/api/cases', headers: { authorization: `Bearer ${h.tokens.inspector}` } });
      expectError(r, 503, 'UNAVAILABLE');
      expect(r.headers['retry-after']).toBeDefined();
      expect((await app.inject({ url: '/ready' })).statusCode).toBe(503);
    } finally {
      await app.close();
      await dead.close();
    }
  });
});

describe('the role × action matrix at the admission decision (C11)', () => {
  // The matrix (test/fuzz/matrix.ts) is shared with the fuzz, which runs it at the chain's other steps.
  test('only what the domain allows is accepted, and a refused act writes nothing', async () => {
    const m = await runActMatrix(h, { steps: ['C11'], acceptEachAllowed: true });
    expect(m.steps).toEqual(['C11']);
    // Every role tried every kind of act: refused, or allowed by the rules.
    expect(m.tried + m.allowed.length).toBe(8 * 10);
    expect(m.unauthorisedAccepted).toEqual([]);
    expect(m.changedOnRefusal).toEqual([]);
    expect(m.cells.filter((c) => ![403, 409, 422].includes(c.status))).toEqual([]);
    expect(m.cells.filter((c) => c.role === 'inspector' && c.code !== 'READ_ONLY')).toEqual([]);
    const allowed = m.allowed.map((a): [RoleName, string] => [a.role, a.act]);
    // The commune standing board decides, nobody else; the admin, inspector and outsider may do nothing.
    expect(allowed.filter(([, action]) => action === 'approve')).toEqual([['communeStanding', 'approve']]);
    expect(allowed.filter(([role]) => ['admin', 'inspector', 'outsider', 'provincialStanding'].includes(role))).toEqual(
      []
    );
    // Each allowed act, on a case of its own at C11, is accepted and recorded; so is each step's actor on the way.
    expect(m.accepted.filter((a) => !a.ok)).toEqual([]);
    expect(m.accepted.filter((a) => a.stepId === 'C11')).toHaveLength(allowed.length + 1);
  });
});

describe('OpenAPI', () => {
  test('the served document is valid OpenAPI 3.1 and describes the real answers', async () => {
    const doc = json(await h.app.inject({ url: '/docs/json' })) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
      >;
    };
    expect(doc.openapi).toBe('3.1.0');
    const run = spawnSync(process.execPath, [join(__dirname, '..', 'support', 'validate-openapi.mjs')], {
      input: JSON.stringify(doc),
      encoding: 'utf8',
    });
    const result = JSON.parse(run.stdout) as { valid: boolean; version: string; errors: unknown[] };
    expect(result).toEqual({ valid: true, version: '3.1', errors: [] });
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/cases', '/api/cases/{caseId}/acts', '/api/inbox', '/api/auth/login'])
    );

    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const check = async (path: string, url: string, role: RoleName | null, status = 200): Promise<void> => {
      const r = await as(h, role, 'GET', url);
      expect(r.statusCode).toBe(status);
      const responses = doc.paths[path]?.get?.responses ?? {};
      const schema = (responses[String(status)] ?? responses[`${String(status)[0]}XX`])?.content?.['application/json']
        ?.schema;
      expect(schema).toBeDefined();
      const validate = ajv.compile(schema as object);
      const ok = validate(json(r));
      expect({ url, errors: ok ? null : validate.errors }).toEqual({ url, errors: null });
    };
    const caseId = await startAdmission(h);
    await check('/api/cases', '/api/cases?pageSize=5', 'inspector');
    await check('/api/cases/{caseId}', `/api/cases/${caseId}`, 'inspector');
    await check('/api/inbox', '/api/inbox', 'cellSecretary');
    await check('/api/dashboard', '/api/dashboard', 'inspector');
    await check('/api/org/tree', '/api/org/tree', 'inspector');
    await check('/api/processes', '/api/processes', 'inspector');
    await check('/api/calendar/years', '/api/calendar/years', 'inspector');
    await check('/api/me', '/api/me', null, 401);
    await check('/api/cases/{caseId}', '/api/cases/khong-co', 'inspector', 404);
  });
});
