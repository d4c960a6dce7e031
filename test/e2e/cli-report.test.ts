/**
 * The quota commands of the `cadreflow` CLI as a subprocess against the API on a real port: an
 * administrator stores a plan from a JSON file (a plan that does not add up exits 5), starts the year's
 * quota workflow (twice: the second creates nothing), the Organization Board imports meetings from a CSV
 * file (a malformed one exits 5 and writes nothing), and `cadreflow report attainment --format csv --out`
 * writes the file. The year is 2034, this file's own.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QuotaPlan } from '../../domain/quotas';
import { quotaWorkflowId } from '../../workflows/messages';
import { startApi, type ApiHarness } from '../support/api';
import { BODY } from '../unit/fixtures/org';
import { runCli, type CliRun } from './support/cli-process';

const YEAR = 2034;
let h: ApiHarness;
let url: string;
let dir: string;

beforeAll(async () => {
  h = await startApi('cli-report');
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = h.app.server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  dir = mkdtempSync(join(tmpdir(), 'cadreflow-cli-report-'));
});
afterAll(async () => {
  await h?.temporal.client.workflow
    .getHandle(quotaWorkflowId(YEAR))
    .terminate('end of test')
    .catch(() => undefined);
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI from sources as its own process with the role's API token. */
function cli(role: keyof ApiHarness['tokens'], args: string[]): Promise<CliRun> {
  return runCli(args, { url, home: dir, configHome: join(dir, 'none'), env: { CADREFLOW_TOKEN: h.tokens[role] } });
}

/** Province 12 = commune X 12 (youth 12), all to grassroots G. */
const plan: QuotaPlan = {
  year: YEAR,
  rootUnitId: BODY.province,
  units: [
    { unitId: BODY.province, name: 'Tỉnh ủy Quảng Nam', target: 12, sectors: { youth: 12 } },
    {
      unitId: BODY.commune,
      parentUnitId: BODY.province,
      name: 'Đảng ủy xã Duy Xuyên',
      target: 12,
      sectors: { youth: 12 },
    },
  ],
};

test('help in plain words for the new commands', async () => {
  const r = await cli('inspector', ['report', '--help']);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('attainment');
  expect(r.stdout).toContain('--format');
  expect(r.stdout).toContain('giao ban quý');
  for (const args of [
    ['quota', '--help'],
    ['meetings', 'import', '--help'],
  ])
    expect((await cli('inspector', args)).code).toBe(0);
  expect((await cli('inspector', ['report', 'unknown'])).code).toBe(2);
});

test('quota set and start, meetings import, and report attainment --format csv writing a file', async () => {
  const planFile = join(dir, 'plan.json');
  writeFileSync(planFile, JSON.stringify({ ...plan, units: [plan.units[0], { ...plan.units[1], target: 11 }] }));
  const bad = await cli('admin', ['quota', 'set', String(YEAR), planFile]);
  expect(bad.code).toBe(5);
  expect(bad.stderr).toContain('chưa hợp lệ');
  writeFileSync(planFile, JSON.stringify(plan));
  expect((await cli('inspector', ['quota', 'set', String(YEAR), planFile])).code).toBe(3);
  const set = await cli('admin', ['quota', 'set', String(YEAR), planFile]);
  expect({ code: set.code, stderr: set.stderr }).toEqual({ code: 0, stderr: '' });
  expect(set.stdout).toContain(`Đã lưu kế hoạch chỉ tiêu năm ${YEAR}`);

  const start = await cli('admin', ['quota', 'start', String(YEAR), '--quarterly']);
  expect(start.code).toBe(0);
  expect(start.stdout).toContain('Đã bắt đầu');
  const again = await cli('admin', ['--json', 'quota', 'start', String(YEAR)]);
  expect(again.code).toBe(0);
  expect(JSON.parse(again.stdout)).toEqual({ workflowId: quotaWorkflowId(YEAR), created: false });

  const badCsv = join(dir, 'bad.csv');
  writeFileSync(badCsv, `ma_chi_bo;ngay_hop;co_mat;tong_so\n${BODY.cell};2034-01-10;30;20\n`);
  const refused = await cli('orgBoardSpecialist', ['meetings', 'import', badCsv]);
  expect(refused.code).toBe(5);
  expect(refused.stderr).toContain('dòng 2');
  expect(await h.models.Meeting.countDocuments({ month: '2034-01' })).toBe(0);
  const goodCsv = join(dir, 'good.csv');
  writeFileSync(goodCsv, `ma_chi_bo;ngay_hop;co_mat;tong_so\n${BODY.cell};2034-01-10;18;20\n`);
  const imported = await cli('orgBoardSpecialist', ['meetings', 'import', goodCsv]);
  expect({ code: imported.code, stderr: imported.stderr }).toEqual({ code: 0, stderr: '' });
  expect(imported.stdout).toContain('Đã nhập 1 buổi');

  const out = join(dir, 'chi-tieu.csv');
  const report = await cli('cellSecretary', [
    'report',
    'attainment',
    '--year',
    String(YEAR),
    '--format',
    'csv',
    '--out',
    out,
  ]);
  expect({ code: report.code, stderr: report.stderr }).toEqual({ code: 0, stderr: '' });
  expect(existsSync(out)).toBe(true);
  const lines = readFileSync(out, 'utf8').trimEnd().split('\r\n');
  expect(lines[0]).toMatch(/^\uFEFFMã đơn vị,Đơn vị,Cấp,Chỉ tiêu,Đã kết nạp,Tỷ lệ \(%\),/);
  expect(lines.slice(1).map((l) => l.split(',').slice(0, 5).join(','))).toEqual([
    `${BODY.province},Tỉnh ủy Quảng Nam,0,12,0`,
    `${BODY.commune},"  Đảng ủy xã Duy Xuyên",1,12,0`,
  ]);

  const xlsxFile = join(dir, 'giao-ban.xlsx');
  const xlsx = await cli('inspector', [
    'report',
    'briefing',
    '--year',
    String(YEAR),
    '--quarter',
    '1',
    '--format',
    'xlsx',
    '--out',
    xlsxFile,
  ]);
  expect(xlsx.code).toBe(0);
  expect(readFileSync(xlsxFile).subarray(0, 2).toString()).toBe('PK');
  expect((await cli('inspector', ['report', 'attainment', '--year', '2099'])).code).toBe(4);
  expect((await cli('inspector', ['report', 'attendance', '--format', 'csv'])).code).toBe(2);
});
