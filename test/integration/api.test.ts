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
import { actOnCase, getCase } from '../../client/cases';
import { createWorkingCalendar, OFFICIAL_SCHEDULES } from '../../domain/calendar';
import { validateAct, type CaseCommand } from '../../domain/chain';
import { mayAct } from '../../domain/org';
import { admissionV1, createDefaultRegistry } from '../../domain/processes';
import type { CaseView } from '../../workflows/messages';
import { as, PASSWORD, ROLE_USERS, startApi, type ApiHarness, type RoleName } from '../support/api';
import { eventually, uniqueId } from '../support/env';
import { BODY, PERSON } from '../unit/fixtures/org';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApi('api');
});
afterAll(async () => {
  await h?.close();
});

const json = (r: { body: string }): Record<string, unknown> => JSON.parse(r.body) as Record<string, unknown>;
const rid = (): string => uniqueId('req');
const today = (): string => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
const plusDays = (d: string, n: number): string =>
  new Date(Date.parse(`${d}T00:00:00Z`) + n * 86400_000).toISOString().slice(0, 10);

function expectError(r: { statusCode: number; body: string }, status: number, code?: string): void {
  expect(r.statusCode).toBe(status);
  const b = json(r);
  expect(typeof b.code).toBe('string');
  expect(typeof b.message).toBe('string');
  expect(r.body).not.toMatch(/at .+\.(ts|js):\d+/); // never a stack
  if (code) expect(b.code).toBe(code);
}

async function startAdmission(role: RoleName = 'cellSecretary'): Promise<string> {
  const r = await as(h, role, 'POST', '/api/cases', {
    requestId: rid(),
    process: 'admission',
    title: 'Kết nạp đảng viên: Nguyễn Văn An',
    caseUnitId: BODY.cell,
    subjectName: 'Nguyễn Văn An',
  });
  expect(r.statusCode).toBe(201);
  const caseId = json(r).caseId as string;
  await eventually('the case projection', () => h.models.Case.exists({ _id: caseId }));
  return caseId;
}

/** The stored trace of a case: what "nothing written" compares. */
async function trace(caseId: string): Promise<{ revision: number; audit: number }> {
  const doc = await h.models.Case.findById(caseId).lean();
  return { revision: doc?.revision ?? -1, audit: await h.models.AuditEntry.countDocuments({ caseId }) };
}

/** Somebody who may act on the current step today, by the domain's own rule (for moving a case along). */
function actorFor(view: CaseView): string {
  const step = admissionV1.steps.find((s) => s.id === view.current?.stepId);
  if (!step) throw new Error('no current step');
  for (const p of h.org.people) {
    const r = mayAct(h.org, {
      actor: step.actor,
      caseUnitId: view.state.caseUnitId,
      personId: p.id,
      onDate: today(),
      caseStartedOn: view.state.startedOn,
      stepId: step.id,
    });
    if (r.allowed) return p.id;
  }
  throw new Error(`nobody may act on ${step.id}`);
}

function passingAct(view: CaseView): CaseCommand {
  const step = admissionV1.steps.find((s) => s.id === view.current?.stepId);
  if (step?.act === 'vote')
    return { type: 'vote', tally: { base: 20, present: 19, approve: 18, reject: 1, abstain: 0 } };
  if (step?.act === 'appraisal') return { type: 'appraise', outcome: 'recommend', note: 'Đủ điều kiện' };
  return { type: 'approve', note: 'Đồng ý' };
}

/** Moves a case to `stepId` directly on Temporal (setting the scene, not under test). */
async function advanceTo(caseId: string, stepId: string): Promise<CaseView> {
  let view = await getCase(h.temporal.client, 'admission', caseId);
  for (let i = 0; i < 20 && view.current?.stepId !== stepId; i++) {
    view = await actOnCase(h.temporal.client, 'admission', caseId, {
      requestId: rid(),
      personId: actorFor(view),
      command: passingAct(view),
    });
  }
  expect(view.current?.stepId).toBe(stepId);
  const revision = view.revision;
  await eventually('the projection to catch up', async () => (await trace(caseId)).revision >= revision);
  return view;
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

describe('cases', () => {
  test('start, repeat the start, list, filter, detail with audit verification, inbox, dashboard', async () => {
    const body = {
      requestId: rid(),
      process: 'admission',
      title: 'Kết nạp đảng viên: Lê Thị Bình',
      caseUnitId: BODY.cell,
      subjectName: 'Lê Thị Bình',
    };
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

  test('the inbox puts the soonest due first and shows what I act on by delegation', async () => {
    const caseId = await startAdmission();
    await advanceTo(caseId, 'C11'); // due 60 working days after C8: the commune standing board acts
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

  test('an act repeated with the same request ID is applied once', async () => {
    const caseId = await startAdmission();
    const act = { requestId: rid(), command: { type: 'approve', note: 'Đồng ý đưa vào danh sách' } };
    const first = await as(h, 'cellSecretary', 'POST', `/api/cases/${caseId}/acts`, act);
    expect(first.statusCode).toBe(200);
    const after = await eventually('the projection', async () => {
      const t = await trace(caseId);
      return t.revision >= (json(first).revision as number) && t;
    });
    const again = await as(h, 'cellSecretary', 'POST', `/api/cases/${caseId}/acts`, act);
    expect(again.statusCode).toBe(200);
    expect(json(again).revision).toBe(json(first).revision);
    expect(await trace(caseId)).toEqual(after);
  });

  test('malformed, hostile, oversize and unknown-field bodies are refused with 4xx and change nothing', async () => {
    const caseId = await startAdmission();
    const before = await trace(caseId);
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
    expect(await trace(caseId)).toEqual(before);
    expect(await h.models.Case.countDocuments()).toBe(casesBefore);
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
  const ACTIONS: Record<string, () => CaseCommand> = {
    approve: () => ({ type: 'approve', note: 'Quyết định kết nạp' }),
    refuse: () => ({ type: 'refuse', reason: 'Chưa đủ tiêu chuẩn' }),
    return: () => ({
      type: 'return',
      reasonCode: admissionV1.steps.find((s) => s.id === 'C11')?.onReturn?.reasonCodes[0]?.code ?? 'OTHER',
    }),
    resubmit: () => ({ type: 'resubmit', note: 'Nộp lại' }),
    vote: () => ({ type: 'vote', tally: { base: 9, present: 9, approve: 9, reject: 0, abstain: 0 } }),
    appraise: () => ({ type: 'appraise', outcome: 'recommend' }),
    extend: () => ({ type: 'extend', reason: 'Cần xác minh thêm', period: { unit: 'workingDays', n: 10 } }),
    obstacle: () => ({ type: 'obstacle', text: 'Hồ sơ thiếu xác nhận của địa phương' }),
    delegate: () => ({ type: 'delegate', toPersonId: PERSON.communeDeputy, from: today(), to: plusDays(today(), 2) }),
    withdraw: () => ({ type: 'withdraw', reason: 'Người vào Đảng xin rút' }),
  };
  const roles = Object.keys(ROLE_USERS) as RoleName[];

  test('only what the domain allows is accepted, and a refused act writes nothing', async () => {
    const caseId = await startAdmission();
    const view = await advanceTo(caseId, 'C11');
    const ctx = {
      definition: admissionV1,
      calendar: createWorkingCalendar({ schedules: OFFICIAL_SCHEDULES }),
      org: h.org,
    };
    const allowed: [RoleName, string][] = [];
    for (const role of roles) {
      for (const [action, command] of Object.entries(ACTIONS)) {
        let mayDo = role !== 'inspector';
        try {
          validateAct(ctx, view.state, { personId: ROLE_USERS[role], command: command() }, Date.now());
        } catch {
          mayDo = false;
        }
        if (mayDo) {
          allowed.push([role, action]);
          continue;
        }
        const before = await trace(caseId);
        const r = await as(h, role, 'POST', `/api/cases/${caseId}/acts`, { requestId: rid(), command: command() });
        expect({ role, action, refused: [403, 409, 422].includes(r.statusCode) }).toEqual({
          role,
          action,
          refused: true,
        });
        if (role === 'inspector') expect(json(r).code).toBe('READ_ONLY');
        expect({ role, action, trace: await trace(caseId) }).toEqual({ role, action, trace: before });
      }
    }
    // The commune standing board decides, nobody else; the admin, inspector and outsider may do nothing.
    expect(allowed.filter(([, action]) => action === 'approve')).toEqual([['communeStanding', 'approve']]);
    expect(allowed.filter(([role]) => ['admin', 'inspector', 'outsider', 'provincialStanding'].includes(role))).toEqual(
      []
    );

    // Each allowed act, on a case of its own at the same step, is accepted and recorded.
    for (const [role, action] of allowed) {
      const id = await startAdmission();
      await advanceTo(id, 'C11');
      const before = await trace(id);
      const r = await as(h, role, 'POST', `/api/cases/${id}/acts`, { requestId: rid(), command: ACTIONS[action]?.() });
      expect({ role, action, status: r.statusCode, body: r.statusCode === 200 ? '' : r.body }).toEqual({
        role,
        action,
        status: 200,
        body: '',
      });
      expect(json(r).revision).toBeGreaterThan(before.revision);
    }
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
    const caseId = await startAdmission();
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
