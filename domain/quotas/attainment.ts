/**
 * Attainment, derived from the decisions the chains recorded: an admission (C11 approved), a recognition
 * (the recognition case completed) or a removal counts for the organisation it happened in and for every
 * unit above it, as the organisation tree stood on the day of the decision.
 */
import { bodyOn, type OrgSnapshot } from '../org';
import type { IsoDate } from '../types';
import { GROUPS, SECTORS, type Group, type ProgressRecord, type QuotaPlan, type Sector } from './model';

export interface UnitTally {
  /** Admissions decided in the period. */
  admissions: number;
  /** Admissions by sector; those recorded without one count as 'unspecified'. */
  bySector: Record<Sector | 'unspecified', number>;
  byGroup: Record<Group, number>;
  recognitions: number;
  removals: number;
}

export function emptyTally(): UnitTally {
  const bySector = Object.fromEntries([...SECTORS, 'unspecified'].map((s) => [s, 0])) as UnitTally['bySector'];
  const byGroup = Object.fromEntries(GROUPS.map((g) => [g, 0])) as UnitTally['byGroup'];
  return { admissions: 0, bySector, byGroup, recognitions: 0, removals: 0 };
}

/**
 * The organisation `unitId` and every body above it on `onDate`, nearest first (inner bodies included;
 * callers keep the ones they know). Stops at a body missing that day, or after 64 levels (a cycle).
 */
export function unitPath(org: OrgSnapshot, unitId: string, onDate: IsoDate): string[] {
  const path: string[] = [];
  let id: string | undefined = unitId;
  while (id !== undefined && path.length < 64 && !path.includes(id)) {
    const body = bodyOn(org, id, onDate);
    path.push(id);
    id = body?.parentId;
  }
  return path;
}

/**
 * The body directly under the root provincial committee that `unitId` belongs to on `onDate` (the
 * committee, cấp ủy trực thuộc), or the unit itself when it is the root or outside the tree.
 */
export function committeeOf(org: OrgSnapshot, unitId: string, onDate: IsoDate): string {
  const path = unitPath(org, unitId, onDate);
  return path.length >= 2 ? (path[path.length - 2] as string) : unitId;
}

/**
 * Tallies the records decided from `from` to `to` (inclusive) for every unit of the plan: a record counts
 * for each plan unit on its path up the tree on its decision date. Units of the plan with nothing get an
 * empty tally.
 */
export function tallyProgress(
  plan: QuotaPlan,
  org: OrgSnapshot,
  records: readonly ProgressRecord[],
  from: IsoDate,
  to: IsoDate
): Record<string, UnitTally> {
  const tallies: Record<string, UnitTally> = {};
  for (const u of plan.units) tallies[u.unitId] = emptyTally();
  const paths = new Map<string, string[]>();
  for (const r of records) {
    if (r.decidedOn < from || r.decidedOn > to) continue;
    const key = `${r.unitId}|${r.decidedOn}`;
    let path = paths.get(key);
    if (!path) {
      path = unitPath(org, r.unitId, r.decidedOn);
      paths.set(key, path);
    }
    for (const id of new Set(path)) {
      const t = tallies[id];
      if (!t) continue;
      if (r.kind === 'recognition') t.recognitions += 1;
      else if (r.kind === 'removal') t.removals += 1;
      else {
        t.admissions += 1;
        t.bySector[r.sector ?? 'unspecified'] += 1;
        for (const g of new Set(r.groups ?? [])) t.byGroup[g] += 1;
      }
    }
  }
  return tallies;
}
