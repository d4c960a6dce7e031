/**
 * Loads the demo province into an empty database, so that a newcomer running `npm start` sees a living
 * system within the first minute: the organisation tree, and cases in every state — finished, on time,
 * due soon, overdue, escalated (their e-mails arrive in the dev mailbox while you watch), returned for
 * supplement, refused, with an obstacle report. Does nothing when the database already holds an
 * organisation.
 */
import type { Client } from '@temporalio/client';
import { hash as argonHash } from '@node-rs/argon2';
import { saveOrg } from '../../activities/store/org-store';
import { recordAdmissionSubject, saveQuotaPlan } from '../../activities/store/quota-store';
import { vnDateOf } from '../../domain/calendar/days';
import type { QuotaPlan, Sector, UnitAllocation } from '../../domain/quotas/model';
import type { Models } from '../../activities/store/models';
import { actOnCase, getCase, startCase } from '../../client/cases';
import type { CaseCommand } from '../../domain/chain';
import {
  admissionV1,
  designationV1,
  planningV1,
  withTestDurations,
  type ProcessDefinition,
  type ProcessRegistry,
} from '../../domain/processes';
import type { CaseView } from '../../workflows/messages';
import { actorFor, passingAct } from './drive';
import { buildDemoProvince, DEMO_COMMITTEES, DEMO_PEOPLE } from './province';

/** The password of every demo account (the README lists them): for a local trial only. */
export const DEMO_PASSWORD = 'songlam2026';

/** The demo accounts: username, the person in the tree, and the account's flags. */
export const DEMO_ACCOUNTS: Array<{ username: string; personId: string; isAdmin?: boolean; isInspector?: boolean }> = [
  { username: DEMO_PEOPLE.provinceSecretary, personId: DEMO_PEOPLE.provinceSecretary },
  { username: DEMO_PEOPLE.provinceDeputy, personId: DEMO_PEOPLE.provinceDeputy },
  { username: DEMO_PEOPLE.provinceOrgHead, personId: DEMO_PEOPLE.provinceOrgHead },
  { username: DEMO_PEOPLE.provinceOrgSpecialist, personId: DEMO_PEOPLE.provinceOrgSpecialist },
  { username: DEMO_PEOPLE.inspector, personId: DEMO_PEOPLE.inspector, isInspector: true },
  { username: DEMO_PEOPLE.committeeSecretary, personId: DEMO_PEOPLE.committeeSecretary },
  { username: DEMO_PEOPLE.committeeOrgSpecialist, personId: DEMO_PEOPLE.committeeOrgSpecialist },
  { username: DEMO_PEOPLE.grassrootsSecretary, personId: DEMO_PEOPLE.grassrootsSecretary },
  { username: DEMO_PEOPLE.cellSecretary, personId: DEMO_PEOPLE.cellSecretary },
  { username: 'quantri', personId: DEMO_PEOPLE.provinceOrgSpecialist, isAdmin: true },
];

/** Creates the demo accounts that do not exist yet (argon2id hashes, as the API's own users). */
async function seedAccounts(models: Models): Promise<void> {
  const passwordHash = await argonHash(DEMO_PASSWORD);
  for (const a of DEMO_ACCOUNTS) {
    if (await models.User.exists({ _id: a.username })) continue;
    await models.User.create({
      _id: a.username,
      username: a.username,
      passwordHash,
      personId: a.personId,
      isAdmin: a.isAdmin ?? false,
      isInspector: a.isInspector ?? false,
      active: true,
      createdAt: Date.now(),
    });
  }
}

export interface DemoDeps {
  models: Models;
  client: Client;
  registry: ProcessRegistry;
  taskQueue: string;
  /**
   * Prepended to every case ID. Workflow IDs are business IDs, unique on the Temporal server: two demo
   * provinces on one server (tests on separate databases) need distinct case IDs.
   */
  idPrefix?: string;
  log?: (line: string) => void;
}

export interface DemoSummary {
  loaded: boolean;
  cases: number;
}

const unit = (i: number): string => DEMO_COMMITTEES[i % DEMO_COMMITTEES.length]?.code as string;

export async function seedDemo(deps: DemoDeps): Promise<DemoSummary> {
  const log = deps.log ?? (() => undefined);
  if ((await deps.models.OrgBody.countDocuments({})) > 0) return { loaded: false, cases: 0 };
  const org = buildDemoProvince();
  await saveOrg(deps.models, org);
  await saveQuotaPlan(deps.models, demoQuotaPlan(Number(vnDateOf(Date.now()).slice(0, 4))));
  await seedAccounts(deps.models);
  log(`demo: ${org.bodies.length} bodies, ${org.people.length} people, ${DEMO_ACCOUNTS.length} accounts`);

  let count = 0;
  const start = async (
    definition: ProcessDefinition,
    localId: string,
    title: string,
    caseUnitId: string,
    subjectName?: string
  ): Promise<CaseView> => {
    const caseId = `${deps.idPrefix ?? ''}${localId}`;
    await startCase(
      { client: deps.client, registry: deps.registry, taskQueue: deps.taskQueue },
      { process: definition.key, caseId, title, caseUnitId, subjectName, definition }
    );
    count += 1;
    if (definition.key === 'admission') {
      // Who the applicant is counts towards the quotas by sector and group once the decision is taken.
      const sectors = ['youth', 'pupilsStudents', 'nonStateEnterprise', 'schoolStaff'] as const;
      await recordAdmissionSubject(deps.models, {
        caseId,
        unitId: caseUnitId,
        sector: sectors[count % sectors.length],
        groups: count % 2 === 0 ? ['women', 'youthUnion'] : ['youthUnion'],
      });
    }
    // The case records its start asynchronously; wait until it answers.
    for (let i = 0; i < 50; i++) {
      try {
        return await getCase(deps.client, definition.key, caseId);
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return getCase(deps.client, definition.key, caseId);
  };
  const act = (
    definition: ProcessDefinition,
    view: CaseView,
    command?: CaseCommand,
    personId?: string
  ): Promise<CaseView> =>
    actOnCase(deps.client, definition.key, view.caseId, {
      requestId: `demo:${view.caseId}:${view.revision}`,
      personId: personId ?? actorFor(org, view, definition),
      command: command ?? passingAct(view, definition),
    });
  const advanceTo = async (definition: ProcessDefinition, view: CaseView, stopAt?: string): Promise<CaseView> => {
    let v = view;
    for (let i = 0; i < 30 && v.status === 'open' && v.current?.stepId !== stopAt; i++) v = await act(definition, v);
    return v;
  };
  const cellOf = (i: number, k = 1): string => `${unit(i)}-cb${k}`;
  const applicant = (i: number): string =>
    ['Trần Minh Khoa', 'Lê Thị Bích Ngọc', 'Phạm Quang Huy', 'Võ Thị Thanh Tâm', 'Nguyễn Hoàng Nam', 'Đặng Thu Trang'][
      i % 6
    ] as string;

  // Finished admissions (their probation then runs as a recognition case, on time for a year).
  for (const i of [0, 3]) {
    const v = await start(
      admissionV1,
      `demo-kn-${i + 1}`,
      `Kết nạp đảng viên: ${applicant(i)}`,
      cellOf(i),
      applicant(i)
    );
    await advanceTo(admissionV1, v);
  }
  // On time: admissions waiting on the decision (60 working days) and planning reviews (10 working days).
  for (const i of [1, 4, 7]) {
    const v = await start(
      admissionV1,
      `demo-kn-${i + 10}`,
      `Kết nạp đảng viên: ${applicant(i)}`,
      cellOf(i, 2),
      applicant(i)
    );
    await advanceTo(admissionV1, v, i === 7 ? 'C10' : 'C11');
  }
  for (const i of [2, 5, 8, 11]) {
    await start(
      planningV1,
      `demo-qh-${unit(i)}`,
      `Phê duyệt quy hoạch cán bộ 2026–2031 — ${DEMO_COMMITTEES[i]?.name}`,
      unit(i)
    );
  }
  // Due soon: a designation due in two days (reminded after one).
  const soon = withTestDurations(designationV1, 2 * 86_400, 86_400);
  await start(soon, 'demo-cd-1', `Chỉ định bổ sung cấp ủy viên — ${DEMO_COMMITTEES[6]?.name}`, unit(6));
  // Overdue within the first minute: due after 20 s; the due notice reaches the mailbox.
  const overdue = withTestDurations(planningV1, 20, 600);
  await start(
    overdue,
    'demo-qh-qua-han',
    `Phê duyệt quy hoạch cán bộ (bổ sung) — ${DEMO_COMMITTEES[9]?.name}`,
    unit(9)
  );
  // Escalated within the first minute: due after 10 s, Thường trực Tỉnh ủy told 10 s later and every 10 s, 3 times.
  const escalated = withTestDurations(planningV1, 10, 10);
  await start(
    escalated,
    'demo-qh-canh-bao',
    `Phê duyệt quy hoạch cán bộ (điều chỉnh) — ${DEMO_COMMITTEES[12]?.name}`,
    unit(12)
  );
  // Returned for supplement: the chi bộ voted with an introduction older than 12 months.
  {
    const v = await advanceTo(
      admissionV1,
      await start(admissionV1, 'demo-kn-tra-lai', `Kết nạp đảng viên: ${applicant(5)}`, cellOf(13), applicant(5)),
      'C8'
    );
    const old = new Date(Date.now() - 400 * 86_400_000).toISOString().slice(0, 10);
    await act(admissionV1, v, {
      type: 'vote',
      tally: { base: 20, present: 19, approve: 18, reject: 1, abstain: 0 },
      documents: [{ code: 'INTRODUCTION', issuedOn: old }],
    });
  }
  // Refused at background verification.
  {
    const v = await advanceTo(
      admissionV1,
      await start(admissionV1, 'demo-kn-tu-choi', `Kết nạp đảng viên: ${applicant(2)}`, cellOf(14), applicant(2)),
      'C5'
    );
    await act(admissionV1, v, { type: 'refuse', reason: 'Lý lịch có nội dung chưa được làm rõ' });
  }
  // An obstacle reported on a personnel case: Thường trực Tỉnh ủy is told at once.
  {
    const v = await start(
      designationV1,
      'demo-cd-vuong-mac',
      `Chỉ định bổ sung Phó Bí thư — ${DEMO_COMMITTEES[15]?.name}`,
      unit(15)
    );
    await act(designationV1, v, {
      type: 'obstacle',
      text: 'Nhân sự dự kiến đang trong thời gian xem xét kỷ luật, đề nghị Thường trực cho ý kiến.',
    });
  }
  log(`demo: ${count} cases started`);
  return { loaded: true, cases: count };
}

/** Each committee's yearly share of the province's 2,000 admissions, by sector (the demo's quota plan). */
const DEMO_SECTORS: Record<Sector, number> = {
  stateEnterprise: 10,
  nonStateEnterprise: 20,
  schoolStaff: 10,
  pupilsStudents: 20,
  youth: 20,
  residential: 10,
  agencies: 10,
};

export function demoQuotaPlan(year: number): QuotaPlan {
  const perCommittee = Object.values(DEMO_SECTORS).reduce((a, b) => a + b, 0);
  const committees: UnitAllocation[] = DEMO_COMMITTEES.map((c) => ({
    unitId: c.code,
    parentUnitId: 'tinh-uy',
    name: c.name,
    target: perCommittee,
    sectors: { ...DEMO_SECTORS },
    groups: { women: 40, youthUnion: 50, ethnicMinority: 10, religious: 5 },
  }));
  const n = committees.length;
  const root: UnitAllocation = {
    unitId: 'tinh-uy',
    name: 'Tỉnh ủy Sông Lam',
    target: perCommittee * n,
    sectors: Object.fromEntries(Object.entries(DEMO_SECTORS).map(([k, v]) => [k, v * n])),
    groups: { women: 40 * n, youthUnion: 50 * n, ethnicMinority: 10 * n, religious: 5 * n },
  };
  return { year, rootUnitId: 'tinh-uy', units: [root, ...committees] };
}
