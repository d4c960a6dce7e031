/**
 * The role × act matrix: one admission case driven through its steps by the API. At each chosen step, every
 * role's user sends every kind of act the chain knows; whoever may not act on the case at that step in any
 * capacity (the organisation's rule: the step's actor, the first step's actor who may withdraw, the one a
 * returned dossier went back to) must be refused every act, and a refused act must leave the case as it
 * was — revision, audit trail and workflow history. A role that may act is refused what the chain's rules
 * refuse it (the wrong kind of act for the step, say) and the acts they allow are listed. Then the step's
 * actor passes the step through the API and must be accepted: the matrix fails both ways.
 */
import { loadOrg } from '../../activities/store/org-store';
import { createApiToken, createUser, toActor } from '../../client/services';
import { getCase } from '../../client/cases';
import { createWorkingCalendar, OFFICIAL_SCHEDULES } from '../../domain/calendar';
import { validateAct, type CaseCommandType } from '../../domain/chain';
import type { CaseView } from '../../workflows/messages';
import { as, PASSWORD, ROLE_USERS, type ApiHarness, type RoleName } from '../support/api';
import {
  ACT_COMMANDS,
  actorFor,
  advanceTo,
  definitionOf,
  historyLength,
  mayActOnCase,
  passingAct,
  rid,
  startAdmission,
  trace,
} from '../support/cases';
import { eventually } from '../support/env';

export const ACT_KINDS = Object.keys(ACT_COMMANDS) as CaseCommandType[];
export const ROLES = Object.keys(ROLE_USERS) as RoleName[];

export interface MatrixOptions {
  /** The steps at which the whole matrix is tried (default: every step of the admission chain). */
  steps?: string[];
  /**
   * Also send each act the rules allow a role at a matrix step, on a case of its own standing at that step:
   * it must be accepted and recorded.
   */
  acceptEachAllowed?: boolean;
  log?: (line: string) => void;
}

export interface MatrixCell {
  stepId: string;
  role: RoleName;
  act: CaseCommandType;
  status: number;
  code?: string;
}

interface Snapshot {
  revision: number;
  audit: number;
  history: number;
}

export interface MatrixReport {
  steps: string[];
  /** Every act sent that had to be refused, with its answer. */
  cells: MatrixCell[];
  /** Acts sent that had to be refused. */
  tried: number;
  refused: number;
  /** Acts that had to be refused and were accepted: must be none. */
  unauthorisedAccepted: MatrixCell[];
  /** Refused acts after which the case was not as before: must be none. */
  changedOnRefusal: (MatrixCell & { before: Snapshot; after: Snapshot })[];
  /** What the rules allow a role at a step (not sent on the matrix case, which they would move). */
  allowed: { stepId: string; role: RoleName; act: CaseCommandType }[];
  /** The allowed side through the API: each must be accepted. */
  accepted: { stepId: string; personId: string; act: CaseCommandType; status: number; ok: boolean }[];
  /** Refusal codes and how often. */
  codes: Record<string, number>;
  ms: number;
}

/** An API token for any person of the organisation: the role users' own, or a user created for the matrix. */
async function tokenFor(h: ApiHarness, cache: Map<string, string>, personId: string): Promise<string> {
  const known = cache.get(personId);
  if (known) return known;
  const role = ROLES.find((r) => ROLE_USERS[r] === personId && r !== 'admin' && r !== 'inspector');
  let token = role ? h.tokens[role] : undefined;
  if (!token) {
    const user = await createUser(h.deps, null, {
      username: `${h.usernames.outsider.split('.')[0] ?? 'm'}.p.${personId}`
        .toLowerCase()
        .replace(/[^a-z0-9._-]/g, '-'),
      password: PASSWORD,
      personId,
    });
    token = (await createApiToken(h.deps, toActor(user), 'ma trận vai trò')).token;
  }
  cache.set(personId, token);
  return token;
}

const act = (h: ApiHarness, token: string, caseId: string, body: unknown) =>
  h.app.inject({
    method: 'POST',
    url: `/api/cases/${encodeURIComponent(caseId)}/acts`,
    headers: { authorization: `Bearer ${token}` },
    payload: body as Record<string, unknown>,
  });

async function snapshot(h: ApiHarness, caseId: string): Promise<Snapshot> {
  const [t, history] = await Promise.all([trace(h, caseId), historyLength(h, 'admission', caseId)]);
  return { ...t, history };
}

const codeOf = (body: string): string | undefined => {
  try {
    return (JSON.parse(body) as { code?: string }).code;
  } catch {
    return undefined;
  }
};

async function caughtUp(h: ApiHarness, caseId: string): Promise<CaseView> {
  const view = await getCase(h.temporal.client, 'admission', caseId);
  await eventually('the projection to catch up', async () => (await trace(h, caseId)).revision >= view.revision);
  return view;
}

export async function runActMatrix(h: ApiHarness, o: MatrixOptions = {}): Promise<MatrixReport> {
  const started = Date.now();
  const log = o.log ?? (() => undefined);
  const report: MatrixReport = {
    steps: [],
    cells: [],
    tried: 0,
    refused: 0,
    unauthorisedAccepted: [],
    changedOnRefusal: [],
    allowed: [],
    accepted: [],
    codes: {},
    ms: 0,
  };
  const tokens = new Map<string, string>();
  const calendar = createWorkingCalendar({ schedules: OFFICIAL_SCHEDULES });
  const caseId = await startAdmission(h);
  let view = await caughtUp(h, caseId);
  const definition = definitionOf(h, view);
  const selected = new Set(o.steps ?? definition.steps.map((s) => s.id));

  const passed = new Set<string>();
  // Until every chosen step was tried and passed (or the case ends).
  for (let guard = 0; guard < 40 && view.status === 'open' && view.current; guard++) {
    const stepId = view.current.stepId;
    if ([...selected].every((s) => passed.has(s))) break;
    if (selected.has(stepId) && !report.steps.includes(stepId)) {
      report.steps.push(stepId);
      const org = await loadOrg(h.models);
      const ctx = { definition, calendar, org };
      let before = await snapshot(h, caseId);
      for (const role of ROLES) {
        const personId = ROLE_USERS[role];
        const isActor = role !== 'inspector' && mayActOnCase(h, org, view, personId);
        for (const kind of ACT_KINDS) {
          const command = ACT_COMMANDS[kind](h, view);
          if (isActor) {
            let allowed = true;
            try {
              validateAct(ctx, view.state, { personId, command }, Date.now());
            } catch {
              allowed = false;
            }
            if (allowed) {
              report.allowed.push({ stepId, role, act: kind });
              continue;
            }
          }
          const r = await as(h, role, 'POST', `/api/cases/${caseId}/acts`, { requestId: rid(), command });
          const cell: MatrixCell = { stepId, role, act: kind, status: r.statusCode, code: codeOf(r.body) };
          report.tried++;
          report.cells.push(cell);
          if (r.statusCode >= 400 && r.statusCode < 500) {
            report.refused++;
            report.codes[cell.code ?? '?'] = (report.codes[cell.code ?? '?'] ?? 0) + 1;
          } else {
            report.unauthorisedAccepted.push(cell);
            view = await caughtUp(h, caseId); // it moved: carry on from where it is now
          }
          const after = await snapshot(h, caseId);
          if (r.statusCode >= 400 && JSON.stringify(after) !== JSON.stringify(before))
            report.changedOnRefusal.push({ ...cell, before, after });
          before = after;
        }
      }
      log(`  matrix ${stepId}: ${report.tried} refusals checked so far, ${report.allowed.length} allowed`);

      if (o.acceptEachAllowed)
        for (const a of report.allowed.filter((x) => x.stepId === stepId)) {
          const other = await startAdmission(h);
          const at = await advanceTo(h, 'admission', other, stepId);
          const was = await trace(h, other);
          const r = await as(h, a.role, 'POST', `/api/cases/${other}/acts`, {
            requestId: rid(),
            command: ACT_COMMANDS[a.act](h, at),
          });
          report.accepted.push({
            stepId,
            personId: ROLE_USERS[a.role],
            act: a.act,
            status: r.statusCode,
            ok: r.statusCode === 200 && (JSON.parse(r.body) as { revision: number }).revision > was.revision,
          });
        }
    }
    // The step's actor passes it, through the API.
    const personId = actorFor(h, view);
    const command = passingAct(h, view);
    const was = await trace(h, caseId);
    const r = await act(h, await tokenFor(h, tokens, personId), caseId, { requestId: rid(), command });
    const ok = r.statusCode === 200 && (JSON.parse(r.body) as { revision: number }).revision > was.revision;
    report.accepted.push({ stepId, personId, act: command.type, status: r.statusCode, ok });
    if (!ok) break;
    passed.add(stepId);
    view = await caughtUp(h, caseId);
  }
  report.ms = Date.now() - started;
  return report;
}
