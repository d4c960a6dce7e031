/**
 * Validation of a yearly quota plan: the province's target handed down to the committees under it and on
 * down to grassroots organisations must add up at every level, sector by sector. A plan that does not is
 * refused whole, with one Vietnamese line per problem saying which unit, which sector, expected and got.
 */
import { domainError } from '../errors';
import {
  GROUPS,
  GROUP_LABEL_VI,
  SECTORS,
  SECTOR_LABEL_VI,
  isGroup,
  isSector,
  type QuotaPlan,
  type UnitAllocation,
} from './model';

export interface PlanProblem {
  unitId: string;
  sector?: string;
  group?: string;
  expected?: number;
  got?: number;
  messageVi: string;
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** The units directly under `unitId` in the plan, in plan order. */
export function childrenOf(plan: QuotaPlan, unitId: string): UnitAllocation[] {
  return plan.units.filter((u) => u.parentUnitId === unitId);
}

/** Every problem of a plan (empty when it is valid). */
export function planProblems(plan: QuotaPlan): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const add = (p: PlanProblem): void => {
    problems.push(p);
  };
  if (!Number.isSafeInteger(plan.year) || plan.year < 2000 || plan.year > 2100) {
    add({ unitId: plan.rootUnitId, messageVi: `Năm kế hoạch «${String(plan.year)}» không hợp lệ` });
  }
  const byId = new Map<string, UnitAllocation>();
  for (const u of plan.units) {
    if (typeof u.unitId !== 'string' || u.unitId === '') {
      add({ unitId: String(u.unitId), messageVi: 'Có đơn vị không có mã' });
      continue;
    }
    if (byId.has(u.unitId)) add({ unitId: u.unitId, messageVi: `Đơn vị ${u.name} (${u.unitId}) được ghi hai lần` });
    byId.set(u.unitId, u);
  }
  const root = byId.get(plan.rootUnitId);
  if (!root) add({ unitId: plan.rootUnitId, messageVi: `Không có đơn vị gốc «${plan.rootUnitId}» trong kế hoạch` });
  else if (root.parentUnitId !== undefined) {
    add({ unitId: root.unitId, messageVi: `Đơn vị gốc ${root.name} không được có đơn vị cấp trên` });
  }

  for (const u of byId.values()) {
    const who = `${u.name} (${u.unitId})`;
    if (u.unitId !== plan.rootUnitId) {
      if (u.parentUnitId === undefined || !byId.has(u.parentUnitId)) {
        add({
          unitId: u.unitId,
          messageVi: `${who}: đơn vị cấp trên «${String(u.parentUnitId)}» không có trong kế hoạch`,
        });
      }
    }
    if (!isCount(u.target)) {
      add({ unitId: u.unitId, messageVi: `${who}: chỉ tiêu «${String(u.target)}» phải là số nguyên không âm` });
      continue;
    }
    let sectorSum = 0;
    for (const [key, value] of Object.entries(u.sectors ?? {})) {
      if (!isSector(key)) {
        add({ unitId: u.unitId, sector: key, messageVi: `${who}: không có khối «${key}»` });
      } else if (!isCount(value)) {
        add({
          unitId: u.unitId,
          sector: key,
          messageVi: `${who}, khối ${SECTOR_LABEL_VI[key]}: chỉ tiêu «${String(value)}» phải là số nguyên không âm`,
        });
      } else sectorSum += value;
    }
    if (sectorSum !== u.target) {
      add({
        unitId: u.unitId,
        expected: u.target,
        got: sectorSum,
        messageVi: `${who}: tổng chỉ tiêu theo khối là ${sectorSum}, phải bằng chỉ tiêu của đơn vị là ${u.target}`,
      });
    }
    for (const [key, value] of Object.entries(u.groups ?? {})) {
      if (!isGroup(key)) {
        add({ unitId: u.unitId, group: key, messageVi: `${who}: không có đối tượng «${key}»` });
      } else if (!isCount(value) || value > u.target) {
        add({
          unitId: u.unitId,
          group: key,
          expected: u.target,
          got: typeof value === 'number' ? value : undefined,
          messageVi:
            `${who}, đối tượng ${GROUP_LABEL_VI[key]}: chỉ tiêu «${String(value)}» phải là số nguyên ` +
            `không âm và không vượt chỉ tiêu của đơn vị (${u.target})`,
        });
      }
    }

    // A unit that hands its target down must hand down exactly what it received, sector by sector.
    const children = childrenOf(plan, u.unitId);
    if (children.length === 0) continue;
    const total = children.reduce((s, c) => s + (isCount(c.target) ? c.target : 0), 0);
    if (total !== u.target) {
      add({
        unitId: u.unitId,
        expected: u.target,
        got: total,
        messageVi: `${who}: tổng chỉ tiêu giao cho các đơn vị trực thuộc là ${total}, phải bằng ${u.target}`,
      });
    }
    for (const sector of SECTORS) {
      const expected = u.sectors?.[sector] ?? 0;
      const got = children.reduce((s, c) => s + (c.sectors?.[sector] ?? 0), 0);
      if (got !== expected) {
        add({
          unitId: u.unitId,
          sector,
          expected,
          got,
          messageVi:
            `${who}, khối ${SECTOR_LABEL_VI[sector]}: các đơn vị trực thuộc được giao tổng cộng ${got}, ` +
            `phải bằng ${expected}`,
        });
      }
    }
    for (const group of GROUPS) {
      const expected = u.groups?.[group];
      if (expected === undefined) continue;
      const got = children.reduce((s, c) => s + (c.groups?.[group] ?? 0), 0);
      if (got !== expected) {
        add({
          unitId: u.unitId,
          group,
          expected,
          got,
          messageVi:
            `${who}, đối tượng ${GROUP_LABEL_VI[group]}: các đơn vị trực thuộc được giao tổng cộng ${got}, ` +
            `phải bằng ${expected}`,
        });
      }
    }
  }

  // A cycle cuts its units off the root: report every unit that the root does not reach.
  if (root) {
    const reached = new Set<string>([root.unitId]);
    let frontier = [root.unitId];
    while (frontier.length > 0) {
      const next = plan.units.filter((u) => u.parentUnitId !== undefined && frontier.includes(u.parentUnitId));
      frontier = next.map((u) => u.unitId).filter((id) => !reached.has(id));
      for (const id of frontier) reached.add(id);
    }
    for (const u of byId.values()) {
      if (!reached.has(u.unitId) && u.parentUnitId !== undefined && byId.has(u.parentUnitId)) {
        add({ unitId: u.unitId, messageVi: `${u.name} (${u.unitId}) nằm trong một vòng lặp cấp trên` });
      }
    }
  }
  return problems;
}

/**
 * Refuses a plan that does not add up: throws an 'INVALID_INPUT' DomainError whose Vietnamese message
 * lists every problem, with `details.problems` (unit, sector or group, expected, got) for programs.
 */
export function validateQuotaPlan(plan: QuotaPlan): void {
  const problems = planProblems(plan);
  if (problems.length === 0) return;
  throw domainError(
    'INVALID_INPUT',
    `quota plan ${plan.year}: ${problems.length} problem(s)`,
    `Kế hoạch chỉ tiêu phát triển đảng viên năm ${plan.year} chưa hợp lệ: ` +
      `${problems.map((p) => p.messageVi).join('; ')}.`,
    { problems }
  );
}
