/**
 * The vocabulary of party-development quotas (chỉ tiêu phát triển đảng viên, DOMAIN.md §6): the sectors
 * and groups a yearly target is broken down by, the plan that allocates the province's target to the
 * committees under it and on down to grassroots organisations, and the records progress is derived from.
 */
import type { IsoDate } from '../types';

/** The sectors of a target, as the provinces report them. */
export const SECTORS = [
  'stateEnterprise',
  'nonStateEnterprise',
  'schoolStaff',
  'pupilsStudents',
  'youth',
  'residential',
  'agencies',
] as const;
export type Sector = (typeof SECTORS)[number];

export const SECTOR_LABEL_VI: Record<Sector, string> = {
  stateEnterprise: 'Doanh nghiệp nhà nước',
  nonStateEnterprise: 'Doanh nghiệp ngoài nhà nước, có vốn đầu tư nước ngoài',
  schoolStaff: 'Cán bộ, giáo viên trường học',
  pupilsStudents: 'Học sinh, sinh viên',
  youth: 'Thanh niên',
  residential: 'Khu dân cư',
  agencies: 'Cơ quan hành chính, sự nghiệp',
};

/** The groups an admission may also count for; one admission may belong to several. */
export const GROUPS = ['women', 'ethnicMinority', 'religious', 'youthUnion'] as const;
export type Group = (typeof GROUPS)[number];

export const GROUP_LABEL_VI: Record<Group, string> = {
  women: 'Nữ',
  ethnicMinority: 'Người dân tộc thiểu số',
  religious: 'Người có đạo',
  youthUnion: 'Đoàn viên thanh niên',
};

export function isSector(value: unknown): value is Sector {
  return typeof value === 'string' && (SECTORS as readonly string[]).includes(value);
}

export function isGroup(value: unknown): value is Group {
  return typeof value === 'string' && (GROUPS as readonly string[]).includes(value);
}

/**
 * One unit's share of the year's target. The units of a plan form a tree (the province at the root, the
 * committees under it, grassroots organisations under those); a unit with children must hand out exactly
 * what it received, sector by sector.
 */
export interface UnitAllocation {
  unitId: string;
  /** Absent only for the root (the province). */
  parentUnitId?: string;
  /** The unit's name as people read it, e.g. "Đảng ủy xã Duy Xuyên". */
  name: string;
  /** Admissions expected in the year. */
  target: number;
  /** The target broken down by sector: the values add up to `target`. */
  sectors: Partial<Record<Sector, number>>;
  /** Of the target, how many among each group (a subset each; groups overlap). */
  groups?: Partial<Record<Group, number>>;
}

export interface QuotaPlan {
  year: number;
  rootUnitId: string;
  units: UnitAllocation[];
}

/** What progress is derived from: decisions recorded by the chains, never figures typed in by hand. */
export type ProgressKind = 'admission' | 'recognition' | 'removal';

export interface ProgressRecord {
  kind: ProgressKind;
  /** The case (admission, recognition) or the removal record it comes from. */
  id: string;
  /** The organisation it happened in (usually a cell); counted for it and every unit above it. */
  unitId: string;
  /** The date of the decision in Vietnam. */
  decidedOn: IsoDate;
  sector?: Sector;
  groups?: Group[];
}
