/**
 * The organisation tree, read on a date, and the administrators' edits of it: people, role assignments
 * and delegations. Every edit is checked by the domain's validateOrg on the whole tree before it is saved,
 * and the open cases are told to reload their slice (roles are read on the day of each act).
 */
import { roleAssignmentDocId, loadOrg, saveOrg, toDelegation } from '../../activities/store/org-store';
import type { CaseDoc, DelegationDoc } from '../../activities/store/models';
import {
  bodyOn,
  unitsUnder,
  validateOrg,
  type Delegation,
  type OrgBody,
  type OrgSnapshot,
  type Person,
  type RoleAssignment,
} from '../../domain/org';
import { caseWorkflowId, orgChangedSignal } from '../../workflows/messages';
import {
  isDuplicateKey,
  notFound,
  requireAdmin,
  requireWriter,
  ServiceError,
  vnToday,
  type Actor,
  type ServiceDeps,
} from './context';

export interface OrgTreeNode {
  id: string;
  name: string;
  kind: string;
  email?: string;
  holders: { personId: string; name: string; role: string }[];
  children: OrgTreeNode[];
}

export type RoleView = RoleAssignment & { id: string };

function inForce(from: string, to: string | undefined, on: string): boolean {
  return from <= on && (to === undefined || on <= to);
}

/** The tree as it stands on `onDate`: bodies in force, each with the holders of its roles that day. */
export async function orgTree(deps: ServiceDeps, onDate: string): Promise<OrgTreeNode[]> {
  const org = await loadOrg(deps.models);
  const ids = [...new Set(org.bodies.map((b) => b.id))];
  const live = ids.map((id) => bodyOn(org, id, onDate)).filter((b): b is OrgBody => !!b);
  const nameOf = new Map(org.people.map((p) => [p.id, p.name]));
  const node = (b: OrgBody): OrgTreeNode => ({
    id: b.id,
    name: b.name,
    kind: b.kind,
    ...(b.email ? { email: b.email } : {}),
    holders: org.assignments
      .filter((a) => a.bodyId === b.id && inForce(a.from, a.to, onDate))
      .map((a) => ({ personId: a.personId, name: nameOf.get(a.personId) ?? a.personId, role: a.role })),
    children: live.filter((c) => c.parentId === b.id).map(node),
  });
  const liveIds = new Set(live.map((b) => b.id));
  return live.filter((b) => !b.parentId || !liveIds.has(b.parentId)).map(node);
}

export async function listPeople(deps: ServiceDeps): Promise<Person[]> {
  return (await loadOrg(deps.models)).people;
}

export async function listRoles(
  deps: ServiceDeps,
  f: { personId?: string; bodyId?: string; onDate?: string }
): Promise<RoleView[]> {
  const org = await loadOrg(deps.models);
  return org.assignments
    .filter(
      (a) =>
        (!f.personId || a.personId === f.personId) &&
        (!f.bodyId || a.bodyId === f.bodyId) &&
        (!f.onDate || inForce(a.from, a.to, f.onDate))
    )
    .map((a) => ({ id: roleAssignmentDocId(a), ...a }));
}

export async function listDelegations(deps: ServiceDeps, f: { personId?: string }): Promise<Delegation[]> {
  const org = await loadOrg(deps.models);
  return org.delegations.filter((d) => !f.personId || d.fromPersonId === f.personId || d.toPersonId === f.personId);
}

/** Saves a change after checking the whole tree with it, then tells the open cases it can concern. */
async function commit(deps: ServiceDeps, change: (org: OrgSnapshot) => OrgSnapshot, delta: OrgSnapshot): Promise<void> {
  const next = change(await loadOrg(deps.models));
  validateOrg(next);
  await saveOrg(deps.models, delta);
  await notifyOpenCases(deps, affectedUnits(next, delta, vnToday(deps.now())));
}

/**
 * The units whose cases a change of the tree can concern, or 'all'. A case's slice of the tree (loadOrgSlice)
 * holds the bodies from its unit up to the root and their inner bodies, with their roles, delegations and
 * people: so a change of a role or delegation of body B concerns the cases under B's party organisation; a
 * delegation without a body, or a person's record, those under every body where that person holds a role.
 */
export function affectedUnits(org: OrgSnapshot, delta: OrgSnapshot, onDate: string): string[] | 'all' {
  const bodiesOf = (personId: string): string[] =>
    org.assignments.filter((a) => a.personId === personId).map((a) => a.bodyId);
  const bodyIds = [
    ...delta.assignments.map((a) => a.bodyId),
    ...delta.delegations.flatMap((d) => (d.bodyId ? [d.bodyId] : bodiesOf(d.fromPersonId))),
    ...delta.people.flatMap((p) => bodiesOf(p.id)),
  ];
  const units = unitsUnder(org, bodyIds, onDate);
  const roots = org.bodies.filter((b) => b.parentId === undefined).map((b) => b.id);
  return roots.some((r) => units.includes(r)) ? 'all' : units;
}

/** How many signals are in flight at once. */
const SIGNAL_CONCURRENCY = 20;

/**
 * Signals orgChanged to every open case of `units` (or every open case), a page at a time. Best effort: a
 * case that misses the signal reloads its slice at its next timer or continue-as-new anyway.
 */
async function notifyOpenCases(deps: ServiceDeps, units: string[] | 'all'): Promise<number> {
  if (units !== 'all' && units.length === 0) return 0;
  const filter: Record<string, unknown> = { status: { $in: ['open', 'returned'] } };
  if (units !== 'all') filter.caseUnitId = { $in: units };
  let after = '';
  let signalled = 0;
  for (;;) {
    const page = await deps.models.Case.find({ ...filter, _id: { $gt: after } }, { process: 1 })
      .sort({ _id: 1 })
      .limit(500)
      .lean<Pick<CaseDoc, '_id' | 'process'>[]>();
    for (let i = 0; i < page.length; i += SIGNAL_CONCURRENCY) {
      await Promise.all(
        page.slice(i, i + SIGNAL_CONCURRENCY).map((c) =>
          deps.temporal.workflow
            .getHandle(caseWorkflowId(c.process, c._id))
            .signal(orgChangedSignal)
            .then(
              () => void (signalled += 1),
              () => undefined
            )
        )
      );
    }
    if (page.length < 500) return signalled;
    after = page[page.length - 1]!._id;
  }
}

const empty = (): OrgSnapshot => ({ bodies: [], people: [], assignments: [], delegations: [] });

export async function upsertPerson(deps: ServiceDeps, actor: Actor, person: Person): Promise<Person> {
  requireWriter(actor);
  requireAdmin(actor);
  await commit(deps, (org) => ({ ...org, people: [...org.people.filter((p) => p.id !== person.id), person] }), {
    ...empty(),
    people: [person],
  });
  return person;
}

export async function addRole(deps: ServiceDeps, actor: Actor, a: RoleAssignment): Promise<RoleView> {
  requireWriter(actor);
  requireAdmin(actor);
  const id = roleAssignmentDocId(a);
  if (await deps.models.RoleAssignmentModel.exists({ _id: id }))
    throw new ServiceError(409, 'CONFLICT', 'Chức vụ này đã được ghi từ ngày đó.');
  await commit(deps, (org) => ({ ...org, assignments: [...org.assignments, a] }), { ...empty(), assignments: [a] });
  return { id, ...a };
}

/** Ends a role assignment on `to` (the last day in the role, inclusive). */
export async function endRole(deps: ServiceDeps, actor: Actor, id: string, to: string): Promise<RoleView> {
  requireWriter(actor);
  requireAdmin(actor);
  const org = await loadOrg(deps.models);
  const found = org.assignments.find((a) => roleAssignmentDocId(a) === id);
  if (!found) throw notFound('chức vụ');
  if (to < found.from) throw new ServiceError(422, 'INVALID_INPUT', 'Ngày thôi giữ chức vụ phải sau ngày bắt đầu.');
  const ended = { ...found, to };
  await commit(
    deps,
    (o) => ({ ...o, assignments: o.assignments.map((a) => (roleAssignmentDocId(a) === id ? ended : a)) }),
    { ...empty(), assignments: [ended] }
  );
  return { id, ...ended };
}

/**
 * A delegation (ủy quyền): an administrator records any; a person may delegate their own roles.
 */
export async function addDelegation(deps: ServiceDeps, actor: Actor, d: Delegation): Promise<Delegation> {
  requireWriter(actor);
  if (!actor.isAdmin && d.fromPersonId !== actor.personId)
    throw new ServiceError(403, 'FORBIDDEN', 'Chỉ được ủy quyền các chức vụ của chính mình.');
  if (d.to < d.from) throw new ServiceError(422, 'INVALID_INPUT', 'Ngày kết thúc ủy quyền phải sau ngày bắt đầu.');
  try {
    if (await deps.models.DelegationModel.exists({ _id: d.id }))
      throw new ServiceError(409, 'CONFLICT', `Đã có giấy ủy quyền mã «${d.id}».`);
    await commit(deps, (org) => ({ ...org, delegations: [...org.delegations, d] }), { ...empty(), delegations: [d] });
  } catch (e) {
    if (isDuplicateKey(e)) throw new ServiceError(409, 'CONFLICT', `Đã có giấy ủy quyền mã «${d.id}».`);
    throw e;
  }
  return d;
}

export async function deleteDelegation(deps: ServiceDeps, actor: Actor, id: string): Promise<void> {
  requireWriter(actor);
  const d = await deps.models.DelegationModel.findById(id).lean<DelegationDoc>();
  if (!d) throw notFound('giấy ủy quyền');
  if (!actor.isAdmin && d.fromPersonId !== actor.personId)
    throw new ServiceError(403, 'FORBIDDEN', 'Chỉ người ủy quyền hoặc quản trị viên mới được hủy giấy ủy quyền.');
  await deps.models.DelegationModel.deleteOne({ _id: id });
  const org = await loadOrg(deps.models);
  const gone = { ...empty(), delegations: [toDelegation(d)] };
  await notifyOpenCases(deps, affectedUnits(org, gone, vnToday(deps.now())));
}
