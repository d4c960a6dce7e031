/**
 * Who reads which case. The Inspection Committee (Ủy ban Kiểm tra) reads every case and its audit trail;
 * every other body works on the cases of its own part of the organisation tree (DOMAIN.md §1). A person reads:
 * - every case, as an administrator, an inspector account, or while holding a role in an Ủy ban Kiểm tra;
 * - the cases of every unit under the party organisation they hold a role in today (domain readableUnits:
 *   the Ban Tổ chức Tỉnh ủy and Thường trực Tỉnh ủy read the whole province, a cell's secretary the cell's);
 * - the cases waiting for their act, as themselves or by a delegation in force today;
 * - one at a time, a case whose audit trail names them: what someone signed stays readable to them.
 * A case someone may not read is answered as one that does not exist.
 */
import type { DelegationDoc } from '../../activities/store/models';
import { loadBodiesAndRolesOf } from '../../activities/store/org-store';
import { readableUnits, sitsOn } from '../../domain/org';
import { vnToday, type Actor, type ServiceDeps } from './context';

export type CaseScope =
  | { all: true }
  | {
      all: false;
      /** Units whose cases the person reads. */
      unitIds: string[];
      /** The person and whoever delegated to them for today: the cases waiting for one of them. */
      personIds: string[];
    };

/** The person IDs the actor acts as today: themselves, and whoever delegated to them for today. */
export async function actingAs(deps: ServiceDeps, actor: Actor): Promise<string[]> {
  const today = vnToday(deps.now());
  const delegations = await deps.models.DelegationModel.find({
    toPersonId: actor.personId,
    from: { $lte: today },
    to: { $gte: today },
  }).lean<DelegationDoc[]>();
  return [...new Set([actor.personId, ...delegations.map((d) => d.fromPersonId)])];
}

/** True when the person holds, today, a role in an Ủy ban Kiểm tra of the tree. */
export async function sitsOnInspectionCommittee(deps: ServiceDeps, personId: string): Promise<boolean> {
  return sitsOn(
    await loadBodiesAndRolesOf(deps.models, personId),
    personId,
    'inspectionCommittee',
    vnToday(deps.now())
  );
}

/** What the actor may read today. */
export async function caseScope(deps: ServiceDeps, actor: Actor): Promise<CaseScope> {
  if (actor.isAdmin || actor.isInspector) return { all: true };
  const today = vnToday(deps.now());
  const [org, personIds] = await Promise.all([
    loadBodiesAndRolesOf(deps.models, actor.personId),
    actingAs(deps, actor),
  ]);
  if (sitsOn(org, actor.personId, 'inspectionCommittee', today)) return { all: true };
  const unitIds = readableUnits(org, actor.personId, today);
  // A role in a provincial body reads every unit of the tree: every case.
  const roots = org.bodies.filter((b) => b.parentId === undefined).map((b) => b.id);
  if (roots.length > 0 && roots.every((id) => unitIds.includes(id))) return { all: true };
  return { all: false, unitIds, personIds };
}

/** The filter on `cases` that keeps what the scope reads (empty when it reads everything). */
export function scopeFilter(scope: CaseScope): Record<string, unknown> {
  if (scope.all) return {};
  return { $or: [{ caseUnitId: { $in: scope.unitIds } }, { actorPersonIds: { $in: scope.personIds } }] };
}

/** Whether the scope reads this case: by its unit, its waiting actors, or the person's own entries in its audit. */
export async function mayReadCase(
  deps: ServiceDeps,
  scope: CaseScope,
  doc: { caseId: string; caseUnitId: string; actorPersonIds?: string[] }
): Promise<boolean> {
  if (scope.all || scope.unitIds.includes(doc.caseUnitId)) return true;
  if ((doc.actorPersonIds ?? []).some((p) => scope.personIds.includes(p))) return true;
  return (await deps.models.AuditEntry.exists({ caseId: doc.caseId, personId: { $in: scope.personIds } })) !== null;
}
