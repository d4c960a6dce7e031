/**
 * The things the fuzz aims at, set up before it starts: admission cases standing at chosen steps (one of
 * them returned for supplements), a delegation and a second API token per role (so that one user's IDs can
 * be tried by the others), a signed-in session per role, and the pools of known IDs the generators draw from.
 */
import { getCase } from '../../client/cases';
import { loadOrg } from '../../activities/store/org-store';
import type { OrgSnapshot } from '../../domain/org';
import { caseWorkflowId } from '../../workflows/messages';
import { as, signIn, type ApiHarness, type RoleName } from '../support/api';
import { advanceTo, mayActOnCase, plusDays, rid, startAdmission, today } from '../support/cases';
import { eventually, uniqueId } from '../support/env';
import { BODY, PERSON } from '../unit/fixtures/org';
import type { Pools } from './arbitraries';
import { ROLES } from './matrix';

export interface FixtureCase {
  caseId: string;
  process: string;
  stepId: string;
  status: string;
  /** Person IDs that may act on it in some capacity: acts by anyone else must be refused. */
  actors: string[];
}

export interface FuzzFixtures {
  sessions: Record<RoleName, { cookie: string; csrfToken: string }>;
  /** Token ID → the role whose token it is. */
  tokenOwner: Record<string, RoleName>;
  /** Delegation ID → the person who delegated. */
  delegationOwner: Record<string, string>;
  cases: FixtureCase[];
  /** The organisation as stored once the fixtures are in place (with the delegation). */
  org: OrgSnapshot;
  /** Workflow IDs of the fixture cases: their histories are part of the state the fuzz compares. */
  workflowIds: string[];
  pools: Pools;
}

export interface FixtureOptions {
  /** Steps of the admission chain to leave a case at (C1 … C12). */
  steps: string[];
  /** Also a case at C8 returned to the cell's committee for supplements (resubmit and obstacle apply). */
  returned: boolean;
}

const json = <T>(r: { body: string }): T => JSON.parse(r.body) as T;

export async function setUpFixtures(h: ApiHarness, o: FixtureOptions): Promise<FuzzFixtures> {
  const ids: string[] = [];
  for (const stepId of o.steps) {
    const caseId = await startAdmission(h);
    if (stepId !== 'C1') await advanceTo(h, 'admission', caseId, stepId);
    ids.push(caseId);
  }
  if (o.returned) {
    const caseId = await startAdmission(h);
    const view = await advanceTo(h, 'admission', caseId, 'C8');
    const back = await as(h, 'cellSecretary', 'POST', `/api/cases/${caseId}/acts`, {
      requestId: rid(),
      command: {
        type: 'return',
        reasonCode: h.deps.registry.get('admission', view.version).steps.find((s) => s.id === 'C8')?.onReturn
          ?.reasonCodes[0]?.code,
      },
    });
    if (back.statusCode !== 200) throw new Error(`returning the C8 case answered ${back.statusCode}: ${back.body}`);
    ids.push(caseId);
  }

  // A delegation of the cell secretary's role to the deputy (a person with no user among the roles).
  const delegation = {
    id: uniqueId('uq-fuzz'),
    fromPersonId: PERSON.cellSecretary,
    toPersonId: PERSON.cellDeputy,
    bodyId: BODY.cell,
    from: today(),
    to: plusDays(today(), 5),
  };
  const d = await as(h, 'cellSecretary', 'POST', '/api/org/delegations', delegation);
  if (d.statusCode !== 201) throw new Error(`adding the delegation answered ${d.statusCode}: ${d.body}`);

  const tokenOwner: Record<string, RoleName> = {};
  const sessions = {} as FuzzFixtures['sessions'];
  for (const role of ROLES) {
    const t = await as(h, role, 'POST', '/api/tokens', { name: 'fuzz: token of another user' });
    if (t.statusCode !== 201) throw new Error(`a second token for ${role} answered ${t.statusCode}: ${t.body}`);
    for (const item of json<{ items: { id: string }[] }>(await as(h, role, 'GET', '/api/tokens')).items)
      tokenOwner[item.id] = role;
    sessions[role] = await signIn(h, role);
  }

  const org = await loadOrg(h.models);
  const cases: FixtureCase[] = [];
  for (const caseId of ids) {
    // The projection of the last act and the organisation change the cases reload may still be on their way.
    const view = await getCase(h.temporal.client, 'admission', caseId);
    await eventually('the fixture projection', async () => {
      const doc = await h.models.Case.findById(caseId).lean();
      return (doc?.revision ?? -1) >= view.revision;
    });
    cases.push({
      caseId,
      process: 'admission',
      stepId: view.current?.stepId ?? '',
      status: view.status,
      actors: org.people.map((p) => p.id).filter((p) => mayActOnCase(h, org, view, p)),
    });
  }

  const roleIds = (await h.models.RoleAssignmentModel.find({}, { _id: 1 }).lean()).map((r) => String(r._id));
  const processKeys = json<{ items: { key: string }[] }>(await as(h, 'inspector', 'GET', '/api/processes')).items.map(
    (p) => p.key
  );
  const admission = h.deps.registry.get('admission', 1);
  const dates = [today(), plusDays(today(), 1), plusDays(today(), -1), plusDays(today(), 400), '2025-07-01'];
  const pools: Pools = {
    personId: org.people.map((p) => p.id),
    bodyId: org.bodies.map((b) => b.id),
    caseId: [...ids, 'khong-co-ho-so'],
    key: [...processKeys, 'khong-co'],
    process: [...processKeys, 'khong-co'],
    year: ['2025', '2026', '2027', '2030', '1900', '2100'],
    username: [...Object.values(h.usernames), 'quantri', 'khong-co'],
    reasonCode: [...new Set(admission.steps.flatMap((s) => s.onReturn?.reasonCodes.map((r) => r.code) ?? [])), 'OTHER'],
    stepIds: admission.steps.map((s) => s.id),
    type: ['approve', 'refuse', 'return', 'resubmit', 'vote', 'appraise', 'extend', 'obstacle', 'delegate', 'withdraw'],
    date: dates,
    requestId: ['abcdefgh-fuzz-1', 'fuzz:repeat.0001'],
    // Path parameters named `id`: whatever the route names by it (tokens, users, people, roles, delegations).
    id: [
      ...Object.keys(tokenOwner),
      ...Object.values(h.usernames),
      ...org.people.map((p) => p.id),
      ...roleIds.slice(0, 10),
      delegation.id,
    ],
  };
  return {
    sessions,
    tokenOwner,
    delegationOwner: { [delegation.id]: delegation.fromPersonId },
    cases,
    org,
    workflowIds: ids.map((id) => caseWorkflowId('admission', id)),
    pools,
  };
}
