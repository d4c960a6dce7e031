/**
 * The organisation tree in MongoDB (`org_bodies`, `people`, `role_assignments`, `delegations`), read into
 * the domain's OrgSnapshot. A body keeps its id across versions, so its documents are keyed by
 * (id, validFrom); an assignment by (person, body, role, from); people and delegations by their own ids.
 * Dates are not interpreted here: the domain reads the tree on a date (domain/org.ts).
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  isPartyOrganisation,
  type Delegation,
  type OrgBody,
  type OrgSnapshot,
  type Person,
  type RoleAssignment,
} from '../../domain/org';
import type { DelegationDoc, Models, OrgBodyDoc, PersonDoc, RoleAssignmentDoc } from './models';

export interface LoadOrgSliceInput {
  caseUnitId: string;
  /** The day the slice is read for (YYYY-MM-DD); the slice holds every version, the domain picks by date. */
  onDate: string;
  /** People to include whatever they hold, e.g. the person acting, so that a refusal can name them. */
  personIds?: string[];
}

export const orgBodyDocId = (b: Pick<OrgBody, 'id' | 'validFrom'>): string => `${b.id}|${b.validFrom}`;
export const roleAssignmentDocId = (a: Pick<RoleAssignment, 'personId' | 'bodyId' | 'role' | 'from'>): string =>
  `${a.personId}|${a.bodyId}|${a.role}|${a.from}`;

/** The fields of a stored document that are set, without `_id`: absent optional fields stay absent. */
function fieldsOf<T extends object>(doc: T, keys: readonly (keyof T)[]): Partial<T> {
  const out: Partial<T> = {};
  for (const k of keys) {
    const v = doc[k];
    if (v !== undefined && v !== null) out[k] = v;
  }
  return out;
}

const toBody = (d: OrgBodyDoc): OrgBody =>
  fieldsOf(d, ['id', 'name', 'kind', 'parentId', 'validFrom', 'validTo', 'email']) as OrgBody;
const toPerson = (d: PersonDoc): Person => ({ id: d._id, name: d.name, email: d.email });
const toAssignment = (d: RoleAssignmentDoc): RoleAssignment =>
  fieldsOf(d, ['personId', 'bodyId', 'role', 'from', 'to']) as RoleAssignment;
/** A stored delegation as the domain sees it. */
export const toDelegation = (d: DelegationDoc): Delegation => ({
  id: d._id,
  ...(fieldsOf(d, ['fromPersonId', 'toPersonId', 'bodyId', 'from', 'to', 'stepIds']) as Omit<Delegation, 'id'>),
});

/** Upserts every record of the snapshot by its key; records not in it are left as they are. */
export async function saveOrg(models: Models, org: OrgSnapshot): Promise<void> {
  const upsert = <T extends { _id: string }>(doc: T) => ({
    replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true },
  });
  // One collection at a time: FerretDB on PostgreSQL was seen to stall when several bulk replaces of
  // existing documents ran side by side on one connection pool.
  const writes: Array<() => Promise<unknown>> = [];
  if (org.bodies.length > 0) {
    writes.push(() => models.OrgBody.bulkWrite(org.bodies.map((b) => upsert({ _id: orgBodyDocId(b), ...b }))));
  }
  if (org.people.length > 0) {
    writes.push(() =>
      models.PersonModel.bulkWrite(org.people.map((p) => upsert({ _id: p.id, name: p.name, email: p.email })))
    );
  }
  if (org.assignments.length > 0) {
    writes.push(() =>
      models.RoleAssignmentModel.bulkWrite(org.assignments.map((a) => upsert({ _id: roleAssignmentDocId(a), ...a })))
    );
  }
  if (org.delegations.length > 0) {
    writes.push(() =>
      models.DelegationModel.bulkWrite(
        org.delegations.map(({ id, ...d }) => upsert({ _id: id, ...(JSON.parse(JSON.stringify(d)) as typeof d) }))
      )
    );
  }
  for (const write of writes) await write();
}

/** The whole organisation, every version, in a stable order. */
export async function loadOrg(models: Models): Promise<OrgSnapshot> {
  const [bodies, people, assignments, delegations] = await Promise.all([
    models.OrgBody.find().sort({ _id: 1 }).lean<OrgBodyDoc[]>(),
    models.PersonModel.find().sort({ _id: 1 }).lean<PersonDoc[]>(),
    models.RoleAssignmentModel.find().sort({ _id: 1 }).lean<RoleAssignmentDoc[]>(),
    models.DelegationModel.find().sort({ _id: 1 }).lean<DelegationDoc[]>(),
  ]);
  return {
    bodies: bodies.map(toBody),
    people: people.map(toPerson),
    assignments: assignments.map(toAssignment),
    delegations: delegations.map(toDelegation),
  };
}

/**
 * Every version of every body, and the role assignments of one person only: what deciding which cases that
 * person reads needs, without reading everyone's people, roles and delegations on each request.
 */
export async function loadBodiesAndRolesOf(models: Models, personId: string): Promise<OrgSnapshot> {
  const [bodies, assignments] = await Promise.all([
    models.OrgBody.find().sort({ _id: 1 }).lean<OrgBodyDoc[]>(),
    models.RoleAssignmentModel.find({ personId }).sort({ _id: 1 }).lean<RoleAssignmentDoc[]>(),
  ]);
  return { bodies: bodies.map(toBody), people: [], assignments: assignments.map(toAssignment), delegations: [] };
}

/**
 * What a case needs of the tree: every version of the bodies from the case's unit up to the root (following
 * the parent of every version, so a unit re-parented by a reform brings both its old and new superiors),
 * the inner bodies of those (standing board, standing, organization board, ...) but not the other party
 * organisations under them, the role assignments in all of these, the delegations that can matter (tied to
 * one of these bodies, or unscoped from someone holding a role in them), and the people all of that names.
 * An unknown unit gives a slice without it: the domain then reports it as NOT_FOUND, in Vietnamese.
 */
export async function loadOrgSlice(models: Models, input: LoadOrgSliceInput): Promise<OrgSnapshot> {
  if (typeof input.onDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(input.onDate)) {
    throw ApplicationFailure.nonRetryable(
      `loadOrgSlice: onDate ${String(input.onDate)} is not YYYY-MM-DD`,
      'INVALID_INPUT'
    );
  }
  const byDocId = new Map<string, OrgBodyDoc>();
  const pathIds = new Set<string>();
  let frontier = [input.caseUnitId];
  while (frontier.length > 0) {
    for (const id of frontier) pathIds.add(id);
    const found = await models.OrgBody.find({ id: { $in: frontier } }).lean<OrgBodyDoc[]>();
    for (const d of found) byDocId.set(d._id, d);
    frontier = [...new Set(found.map((d) => d.parentId).filter((id): id is string => !!id && !pathIds.has(id)))];
  }

  const children = await models.OrgBody.find({ parentId: { $in: [...pathIds] } }).lean<OrgBodyDoc[]>();
  for (const d of children) {
    if (!pathIds.has(d.id) && !isPartyOrganisation(d.kind)) byDocId.set(d._id, d);
  }
  const bodyIds = [...new Set([...byDocId.values()].map((d) => d.id))];

  const assignments = await models.RoleAssignmentModel.find({ bodyId: { $in: bodyIds } })
    .sort({ _id: 1 })
    .lean<RoleAssignmentDoc[]>();
  const holders = [...new Set(assignments.map((a) => a.personId))];
  const delegations = await models.DelegationModel.find({
    $or: [{ bodyId: { $in: bodyIds } }, { bodyId: { $exists: false }, fromPersonId: { $in: holders } }],
  })
    .sort({ _id: 1 })
    .lean<DelegationDoc[]>();
  const personIds = new Set([
    ...holders,
    ...delegations.flatMap((d) => [d.fromPersonId, d.toPersonId]),
    ...(input.personIds ?? []),
  ]);
  const people = await models.PersonModel.find({ _id: { $in: [...personIds] } })
    .sort({ _id: 1 })
    .lean<PersonDoc[]>();

  return {
    bodies: [...byDocId.values()].sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0)).map(toBody),
    people: people.map(toPerson),
    assignments: assignments.map(toAssignment),
    delegations: delegations.map(toDelegation),
  };
}
