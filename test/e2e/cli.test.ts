/**
 * The `cadreflow` CLI driven as a subprocess against the API listening on a real port, on the run's real
 * servers: each actor signs in with the CLI, the cell secretary starts an admission case, and every step
 * C1 → C12 is acted on with `cadreflow act` by whoever the organisation tree says may act, until the case
 * is completed. Exit codes are checked on the way: usage, not allowed, not found, refused by the rules,
 * server unavailable. The admission runs with deadlines of seconds (withTestDurations).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCase } from '../../client/cases';
import { createUser } from '../../client/services';
import { mayAct } from '../../domain/org';
import {
  admissionV1,
  byElectionV1,
  createProcessRegistry,
  designationV1,
  planningV1,
  recognitionV1,
  withTestDurations,
} from '../../domain/processes';
import type { CaseView } from '../../workflows/messages';
import { PASSWORD, startApi, type ApiHarness } from '../support/api';
import { uniqueId } from '../support/env';
import { BODY, PERSON } from '../unit/fixtures/org';
import { runCli, type CliRun } from './support/cli-process';

const admission = withTestDurations(admissionV1, 120);
let h: ApiHarness;
let url: string;
const homes: string[] = [];

beforeAll(async () => {
  h = await startApi('cli', createProcessRegistry([admission, recognitionV1, planningV1, designationV1, byElectionV1]));
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = h.app.server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(async () => {
  await h?.close();
  for (const d of homes) rmSync(d, { recursive: true, force: true });
});

/** Runs the CLI from sources as its own process; `home` holds that person's credentials. */
function cli(args: string[], home?: string, env: Record<string, string> = {}): Promise<CliRun> {
  return runCli(args, { url, home: home ?? tmpdir(), configHome: home ?? join(tmpdir(), 'cadreflow-none'), env });
}

const prefix = uniqueId('cli')
  .replace(/[^a-z0-9]/gi, '')
  .slice(-8)
  .toLowerCase();
const signedIn = new Map<string, string>();

/** The CLI home of a person, signed in once with `cadreflow login`. */
async function homeOf(personId: string): Promise<string> {
  const known = signedIn.get(personId);
  if (known) return known;
  const username = `${prefix}.${personId}`.toLowerCase();
  await createUser(h.deps, null, { username, password: PASSWORD, personId });
  const home = mkdtempSync(join(tmpdir(), 'cadreflow-cli-'));
  homes.push(home);
  const r = await cli(['login', '--username', username], home, { CADREFLOW_PASSWORD: PASSWORD });
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  signedIn.set(personId, home);
  return home;
}

const today = (): string => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);

function actorFor(view: CaseView): string {
  const step = admission.steps.find((s) => s.id === view.current?.stepId);
  if (!step) throw new Error('no current step');
  const p = h.org.people.find(
    (person) =>
      mayAct(h.org, {
        actor: step.actor,
        caseUnitId: view.state.caseUnitId,
        personId: person.id,
        onDate: today(),
        caseStartedOn: view.state.startedOn,
        stepId: step.id,
      }).allowed
  );
  if (!p) throw new Error(`nobody may act on ${step.id}`);
  return p.id;
}

/** The CLI arguments of the act that moves the current step on. */
function actArgs(view: CaseView, caseId: string): string[] {
  const step = admission.steps.find((s) => s.id === view.current?.stepId);
  if (step?.act === 'vote')
    return ['act', 'vote', caseId, '--base', '20', '--present', '19', '--approve', '18', '--reject', '1'];
  if (step?.act === 'appraisal') return ['act', 'appraise', caseId, '--outcome', 'recommend', '--note', 'Đủ điều kiện'];
  return ['act', 'sign', caseId, '--note', 'Đồng ý'];
}

test('a whole admission case through the CLI, with the exit codes scripts rely on', async () => {
  const help = await cli(['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/Mã thoát/);
  expect((await cli(['act', 'vote', '--help'])).stdout).toMatch(/biểu quyết/);
  expect((await cli(['no-such-command'])).code).toBe(2);
  expect((await cli(['list'])).code).toBe(3); // not signed in
  expect((await cli(['--url', 'http://127.0.0.1:1', 'list'], undefined, { CADREFLOW_TOKEN: 'cf_x' })).code).toBe(6);

  const secretary = await homeOf(PERSON.cellSecretary);
  const requestId = uniqueId('start');
  const startArgs = [
    '--json',
    'start',
    'admission',
    '--unit',
    BODY.cell,
    '--title',
    'Kết nạp đảng viên: Nguyễn Văn An',
    '--subject',
    'Nguyễn Văn An',
    '--request-id',
    requestId,
  ];
  const started = await cli(startArgs, secretary);
  expect(started.code).toBe(0);
  const { caseId, created } = JSON.parse(started.stdout) as { caseId: string; created: boolean };
  expect(created).toBe(true);
  const again = await cli(startArgs, secretary);
  expect(JSON.parse(again.stdout)).toMatchObject({ caseId, created: false });

  // Someone with no role here is refused by the rules of the tree (403 → 3) and nothing moves.
  const outsider = await homeOf(PERSON.outsider);
  const refused = await cli(['act', 'sign', caseId], outsider);
  expect(refused.code).toBe(3);
  expect(refused.stderr).toMatch(/không có thẩm quyền/);
  expect((await cli(['show', 'khong-co-ho-so'], outsider)).code).toBe(4);

  let view = await getCase(h.temporal.client, 'admission', caseId);
  for (let i = 0; i < 20 && view.status === 'open'; i++) {
    const home = await homeOf(actorFor(view));
    if (view.current?.stepId === 'C8') {
      // 2/3 is counted on those present; more approvals than present is refused by the rules (422 → 5).
      const bad = await cli(['act', 'vote', caseId, '--base', '20', '--present', '5', '--approve', '9'], home);
      expect(bad.code).toBe(5);
    }
    const inbox = await cli(['--json', 'inbox', '--page-size', '100'], home);
    expect((JSON.parse(inbox.stdout) as { items: { caseId: string }[] }).items.map((c) => c.caseId)).toContain(caseId);
    const r = await cli(['--json', ...actArgs(view, caseId), '--request-id', uniqueId('act')], home);
    expect({ step: view.current?.stepId, code: r.code, stderr: r.stderr }).toEqual({
      step: view.current?.stepId,
      code: 0,
      stderr: '',
    });
    view = await getCase(h.temporal.client, 'admission', caseId);
  }
  expect(view.status).toBe('completed');
  expect(view.state.runs.map((r) => r.stepId)).toEqual([
    'C1',
    'C2',
    'C3',
    'C4',
    'C5',
    'C6',
    'C7',
    'C8',
    'C9',
    'C10',
    'C11',
    'C12',
  ]);

  const shown = await cli(['show', caseId], secretary);
  expect(shown.code).toBe(0);
  expect(shown.stdout).toMatch(/toàn vẹn/);
  expect((await cli(['logout'], secretary)).code).toBe(0);
  expect((await cli(['list'], secretary)).code).toBe(3);
});
