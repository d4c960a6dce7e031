/**
 * The web UI in a real browser (Debian's Chromium driven by playwright-core) against the real stack: the
 * demo province loaded on a fresh database, an in-process worker and the API server on a free port. A
 * committee secretary votes (a wrong count first, refused in place) and sees the result's explanation,
 * signs an overdue step and watches it leave the inbox and the dashboard's overdue figure fall; a cell
 * secretary without the role is refused (403) and nothing is written; the escalation e-mail of an
 * overdue demo case is in the dev mailbox. The API server runs as its own process (client/api/main.ts, the
 * real entry point) because jest's module loader cannot load the ES modules some Fastify plugins require.
 * Screenshots of each page go to test-artifacts/screenshots/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type mongoose from 'mongoose';
import { chromium, errors, type BrowserContext, type Page } from 'playwright-core';
import { createModels, type Models } from '../../activities/store/models';
import { loadQuotaPlan, saveQuotaPlan } from '../../activities/store/quota-store';
import { actOnCase, startCase } from '../../client/cases';
import { connectClient, type ClientConnection } from '../../client/temporal';
import { vnDateOf } from '../../domain/calendar/days';
import { createDefaultRegistry, planningV1, withTestDurations, type ProcessDefinition } from '../../domain/processes';
import type { QuotaPlan } from '../../domain/quotas';
import { DEMO_COMMITTEES, DEMO_PEOPLE } from '../../tools/demo/province';
import { DEMO_PASSWORD, seedDemo } from '../../tools/demo/seed';
import { REPO_ROOT } from '../../tools/stack/binaries';
import type { RunningWorker } from '../../worker/worker';
import { startApiProcess, type ApiProcess } from './support/api-process';
import {
  eventually,
  mailbox,
  mongo,
  startInProcessWorker,
  testConfig,
  uniqueId,
  withOwnDatabase,
} from '../support/env';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(REPO_ROOT, 'test-artifacts', 'screenshots');
const CASE_ID = uniqueId('web-qh');
const SECRETARY = DEMO_PEOPLE.committeeSecretary; // Bí thư Đảng ủy phường Bến Thủy
// Reads the committee's cases (its Ban Xây dựng Đảng) but has no role on the planning steps.
const OUTSIDER = DEMO_PEOPLE.committeeOrgSpecialist;

const config = {
  ...withOwnDatabase(testConfig(uniqueId('web')), 'web'),
  devMailboxUrl: process.env.MAIL_CATCHER_URL ?? '',
  logLevel: 'silent' as const,
};

let db: mongoose.Connection;
let models: Models;
let worker: RunningWorker;
let temporal: ClientConnection;
let api: ApiProcess;
let url: string;
let context: BrowserContext;
let page: Page;
let profileDir: string;

/** Planning review whose P3 (the tờ trình) is due 3 s after it opens; every other step keeps its real deadline. */
function planningWithShortP3(): ProcessDefinition {
  const fast = withTestDurations(planningV1, 3, 600);
  return {
    ...planningV1,
    steps: planningV1.steps.map((s) => (s.id === 'P3' ? (fast.steps.find((f) => f.id === 'P3') ?? s) : s)),
  };
}

/** A year's plan over the demo committees, so that the dashboard has quota figures to chart. */
function demoPlan(year: number): QuotaPlan {
  const committees = DEMO_COMMITTEES.map((c, i) => ({
    unitId: c.code,
    parentUnitId: 'tinh-uy',
    name: c.name,
    target: 10 + (i % 3),
    sectors: { youth: 4, residential: 3 + (i % 3), agencies: 3 },
  }));
  const sum = (f: (u: (typeof committees)[number]) => number): number => committees.reduce((n, u) => n + f(u), 0);
  return {
    year,
    rootUnitId: 'tinh-uy',
    units: [
      {
        unitId: 'tinh-uy',
        name: 'Tỉnh ủy Sông Lam',
        target: sum((u) => u.target),
        sectors: {
          youth: sum((u) => u.sectors.youth),
          residential: sum((u) => u.sectors.residential),
          agencies: sum((u) => u.sectors.agencies),
        },
      },
      ...committees,
    ],
  };
}

/**
 * Saves a full-page screenshot of what the test has just checked. Headless Chromium now and then never hands over
 * the frame for a capture on a loaded, idle page (a 30 s timeout on a busy machine in CI), and once the same page
 * stayed stuck after a reload; the capture is then taken from a new page of the same browser (same session) on
 * the same address, so a stuck frame fails the test only if a fresh page sticks too. (A page hundreds of
 * thousands of pixels tall cannot be taken in time by either: the dev mailbox, which once listed every message
 * of the test run, now shows at most 50.)
 */
async function shot(name: string): Promise<void> {
  const path = join(SHOTS, `${name}.png`);
  try {
    await page.screenshot({ path, fullPage: true, timeout: 15_000 });
  } catch (err) {
    if (!(err instanceof errors.TimeoutError)) throw err;
    const fresh = await context.newPage();
    try {
      await fresh.goto(page.url());
      await fresh.screenshot({ path, fullPage: true, timeout: 30_000 });
    } finally {
      await fresh.close();
    }
  }
}

async function signIn(username: string): Promise<void> {
  await context.clearCookies();
  await page.goto(`${url}/login`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL(`${url}/`);
}

async function overdueOf(committeeId: string): Promise<number> {
  await page.goto(`${url}/dashboard`);
  return Number(await page.locator(`tr[data-committee="${committeeId}"] td.overdue`).textContent());
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  db = await mongo(config);
  models = createModels(db);
  worker = await startInProcessWorker(config);
  temporal = await connectClient(config.temporal.address, config.temporal.namespace);
  const registry = createDefaultRegistry();
  await seedDemo({ models, client: temporal.client, registry, taskQueue: config.temporal.taskQueue });
  const year = Number(vnDateOf(Date.now()).slice(0, 4));
  if (!(await loadQuotaPlan(models, year))) await saveQuotaPlan(models, demoPlan(year));

  // The case the secretary works on: P1 done outside the browser, the vote (P2) and the tờ trình (P3) in it.
  const definition = planningWithShortP3();
  await startCase(
    { client: temporal.client, registry, taskQueue: config.temporal.taskQueue },
    {
      process: 'planning',
      caseId: CASE_ID,
      title: 'Phê duyệt quy hoạch cán bộ 2026–2031 — Đảng ủy phường Bến Thủy',
      caseUnitId: 'p-ben-thuy',
      definition,
    }
  );
  await eventually(
    'the case answers',
    async () => (await models.Case.findById(CASE_ID).lean())?.currentStepId === 'P1'
  );
  await actOnCase(temporal.client, 'planning', CASE_ID, {
    requestId: `${CASE_ID}:p1`,
    personId: SECRETARY,
    command: { type: 'approve', note: 'Đã rà soát' },
  });
  await eventually('P2 open', async () => (await models.Case.findById(CASE_ID).lean())?.currentStepId === 'P2');

  api = await startApiProcess(config);
  url = api.url;

  profileDir = mkdtempSync(join(tmpdir(), 'cadreflow-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-gpu',
      '--no-first-run',
    ],
    viewport: { width: 1280, height: 800 },
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
  });
  page = context.pages()[0] ?? (await context.newPage());
}, 240_000);

afterAll(async () => {
  await context?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  await api?.stop();
  await worker?.shutdown();
  await temporal?.close();
  await db?.dropDatabase().catch(() => undefined);
  await db?.close();
});

test('Chromium is installed', () => {
  expect(existsSync(CHROMIUM)).toBe(true);
});

test('sign in; the inbox lists the case soonest due first; the keyboard reaches the skip link first', async () => {
  await page.goto(`${url}/`);
  await page.waitForURL(/\/login/);
  await expect(page.locator('h1').textContent()).resolves.toBe('Đăng nhập');
  await page.getByLabel('Tên đăng nhập').fill(SECRETARY);
  await page.getByLabel('Mật khẩu').fill('sai-mat-khau-roi');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page.getByRole('alert').textContent()).resolves.toContain('Tên đăng nhập hoặc mật khẩu không đúng');
  await shot('01-dang-nhap');

  await signIn(SECRETARY);
  await expect(page.locator('h1').textContent()).resolves.toBe('Việc cần xử lý');
  const row = page.locator(`tr[data-case="${CASE_ID}"]`);
  await expect(row.textContent()).resolves.toContain('Hội nghị cán bộ chủ chốt');
  await expect(row.textContent()).resolves.toMatch(/hạn \d{2}\/\d{2}\/\d{4} · còn \d+ ngày làm việc/);
  await page.keyboard.press('Tab');
  await expect(
    page.evaluate<string | null>('document.activeElement && document.activeElement.textContent')
  ).resolves.toContain('Bỏ qua');
  await shot('02-viec-can-xu-ly');
});

test('a wrong vote count is refused in place; a valid vote shows the result explanation', async () => {
  await page.goto(`${url}/cases/${CASE_ID}`);
  await shot('03-ho-so');
  const form = page.locator('details[data-act="vote"] form');
  await form.getByLabel('Tổng số (cơ sở tính)').fill('30');
  await form.getByLabel('Số có mặt').fill('25');
  await form.getByLabel('Tán thành', { exact: true }).fill('27');
  await form.getByLabel('Không tán thành').fill('0');
  await form.getByLabel('Không biểu quyết').fill('0');
  await form.getByRole('button', { name: 'Ghi kết quả biểu quyết' }).click();
  await page.waitForURL(`${url}/cases/${CASE_ID}/act/vote`);
  const err = page.locator('.field-error');
  await expect(err.textContent()).resolves.toMatch(/\S/);
  await shot('04-bieu-quyet-sai');
  // The same form, with the values kept: correct the counts and send again.
  await page.getByLabel('Tán thành', { exact: true }).fill('20');
  await page.getByLabel('Không tán thành').fill('3');
  await page.getByLabel('Không biểu quyết').fill('2');
  await page.getByRole('button', { name: 'Ghi kết quả biểu quyết' }).click();
  await page.waitForURL(`${url}/cases/${CASE_ID}`);
  await expect(page.locator('.flash-ok').textContent()).resolves.toContain('Đã ghi kết quả biểu quyết');
  const explanation = await page.locator('[data-step="P2"] .vote-explanation').textContent();
  expect(explanation).toMatch(/^Đạt/);
  expect(explanation).toContain('20/30');
  await shot('05-ket-qua-bieu-quyet');
});

test('signing the overdue tờ trình takes it out of the inbox and lowers the dashboard figure', async () => {
  await eventually('P3 overdue on the dashboard', async () => (await overdueOf('p-ben-thuy')) === 1, 30_000);
  await shot('06-tong-hop-truoc');
  await page.goto(`${url}/`);
  const row = page.locator(`tr[data-case="${CASE_ID}"]`);
  await expect(row.locator('.badge-overdue').textContent()).resolves.toBe('Quá hạn');
  await expect(row.textContent()).resolves.toMatch(/quá hạn \d+ ngày làm việc/);
  await row.getByRole('link').click();
  const form = page.locator('details[data-act="approve"] form');
  await form.getByLabel('Ý kiến (nếu có)').fill('Trình Ban Thường vụ Tỉnh ủy xem xét, phê duyệt.');
  await form.getByRole('button', { name: 'Ký, trình hồ sơ' }).click();
  await page.waitForURL(`${url}/cases/${CASE_ID}`);
  await expect(page.locator('.flash-ok').textContent()).resolves.toContain('Đã ký duyệt');
  await expect(page.locator('[data-step="P3"]').textContent()).resolves.toContain('Thông qua');
  await expect(page.locator('[data-verify="ok"]').textContent()).resolves.toContain('Chuỗi nhật ký toàn vẹn');
  await shot('07-ho-so-sau-khi-ky');

  await page.goto(`${url}/`);
  await expect(page.locator(`tr[data-case="${CASE_ID}"]`).count()).resolves.toBe(0);
  expect(await overdueOf('p-ben-thuy')).toBe(0);
  await shot('08-tong-hop-sau');
});

test('someone without the role is refused (403) when opening the act or posting it, and nothing is written', async () => {
  await signIn(OUTSIDER);
  const before = await models.Case.findById(CASE_ID).lean();
  const res = await page.goto(`${url}/cases/${CASE_ID}/act/appraise`);
  expect(res?.status()).toBe(403);
  await expect(page.getByRole('alert').textContent()).resolves.toContain('không có quyền');
  await shot('09-khong-co-quyen');

  // A hand-made form with the outsider's own valid CSRF token: the workflow's validator refuses it.
  await page.goto(`${url}/cases/${CASE_ID}`);
  await expect(page.locator('details.act').count()).resolves.toBe(0);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/act/appraise') && r.request().method() === 'POST'),
    // The page's own CSRF token (meta tag) on a form the page never offered.
    page.evaluate(`(() => {
      const f = document.createElement('form');
      f.method = 'post';
      f.action = ${JSON.stringify(`/cases/${CASE_ID}/act/appraise`)};
      const add = (name, value) => {
        const i = document.createElement('input');
        i.type = 'hidden';
        i.name = name;
        i.value = value;
        f.appendChild(i);
      };
      add('_csrf', document.querySelector('meta[name=csrf-token]').getAttribute('content'));
      add('requestId', 'forged-1');
      add('outcome', 'recommend');
      document.body.appendChild(f);
      f.submit();
    })()`),
  ]);
  expect(response.status()).toBe(403);
  await page.waitForLoadState();
  await expect(page.getByRole('alert').textContent()).resolves.toMatch(/\S/);
  const after = await models.Case.findById(CASE_ID).lean();
  expect(after?.revision).toBe(before?.revision);
  expect(after?.currentStepId).toBe('P4');
});

test('a delegate named on the case through its delegate act is shown the form and signs on behalf', async () => {
  const caseId = uniqueId('web-uq');
  await startCase(
    { client: temporal.client, registry: createDefaultRegistry(), taskQueue: config.temporal.taskQueue },
    {
      process: 'planning',
      caseId,
      title: 'Quy hoạch cán bộ — ủy quyền ký thay',
      caseUnitId: 'p-ben-thuy',
      definition: planningWithShortP3(),
    }
  );
  await eventually('P1 open', async () => (await models.Case.findById(caseId).lean())?.currentStepId === 'P1');
  const today = vnDateOf(Date.now());
  await actOnCase(temporal.client, 'planning', caseId, {
    requestId: `${caseId}:uq`,
    personId: SECRETARY,
    command: { type: 'delegate', toPersonId: OUTSIDER, from: today, to: today },
  });
  await eventually('the delegation stored', () => models.AuditEntry.exists({ caseId, type: 'delegated' }));

  await signIn(OUTSIDER);
  await page.goto(`${url}/cases/${caseId}`);
  await expect(page.locator('details[data-act="approve"]').count()).resolves.toBe(1);
  // A delegate may not pass the step on again.
  await expect(page.locator('details[data-act="delegate"]').count()).resolves.toBe(0);
  await shot('16-uy-quyen-ky-thay');
  const approve = page.locator('details[data-act="approve"]');
  if ((await approve.getAttribute('open')) === null) await approve.locator('summary').click();
  await approve.locator('form button[type="submit"]').click();
  await page.waitForURL(`${url}/cases/${caseId}`);
  await expect(page.locator('.flash-ok').textContent()).resolves.toContain('Đã ký duyệt');
  await eventually('P2 open', async () => (await models.Case.findById(caseId).lean())?.currentStepId === 'P2');
  const signed = await models.AuditEntry.findOne({
    caseId,
    stepId: 'P1',
    type: { $ne: 'delegated' },
    personId: OUTSIDER,
  });
  expect(signed?.onBehalfOf).toBe(SECRETARY);
  await actOnCase(temporal.client, 'planning', caseId, {
    requestId: `${caseId}:rut`,
    personId: SECRETARY,
    command: { type: 'withdraw', reason: 'Kết thúc kiểm thử' },
  });
});

test("an overdue case's escalation e-mail is in the dev mailbox", async () => {
  await eventually('the escalation e-mail', async () => (await mailbox('demo-qh-canh-bao')).length > 0, 60_000);
  await page.goto(`${url}/`);
  await page.getByRole('link', { name: 'Hộp thư thử nghiệm' }).click();
  await page.waitForURL(`${url}/dev/mailbox`);
  // The tests before this one have sent many messages to the same catcher: the page shows the newest 50, and its
  // filter finds the demo case's escalation among them.
  await expect(page.locator('article').count()).resolves.toBeLessThanOrEqual(50);
  await page.getByLabel('Lọc theo người nhận, tiêu đề hoặc nội dung').fill('demo-qh-canh-bao');
  await page.getByRole('button', { name: 'Lọc' }).click();
  await page.waitForURL(`${url}/dev/mailbox?q=demo-qh-canh-bao`);
  await expect(page.locator('article').count()).resolves.toBeGreaterThan(0);
  await expect(page.locator('body').textContent()).resolves.toContain('demo-qh-canh-bao');
  await shot('10-hop-thu-thu-nghiem');
});

test('the administrator pages and a phone-width inbox', async () => {
  await signIn('quantri');
  await page.goto(`${url}/admin/people?q=ben-thuy-bithu`);
  await expect(page.locator('body').textContent()).resolves.toContain('Bí thư');
  await shot('11-quan-tri-can-bo');
  await page.goto(`${url}/admin/processes/planning`);
  await shot('12-quan-tri-quy-trinh');
  await page.goto(`${url}/admin/calendar`);
  await shot('13-quan-tri-lich');
  // The case figures of the dashboard are the province's for whoever reads every case, and say so otherwise.
  await page.goto(`${url}/dashboard`);
  await expect(page.locator('#pham-vi').count()).resolves.toBe(0);
  await signIn(SECRETARY);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${url}/`);
  await shot('14-dien-thoai-viec-can-xu-ly');
  await page.goto(`${url}/dashboard`);
  await expect(page.locator('#pham-vi').textContent()).resolves.toContain('phạm vi cấp ủy của đồng chí');
  await shot('15-dien-thoai-tong-hop');
  await page.setViewportSize({ width: 1280, height: 800 });
});
