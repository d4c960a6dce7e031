/**
 * A small quota plan over the organisation fixture: the province P (100) hands 60 to the commune
 * committee X and 40 to a second committee Y; X hands 45 to its grassroots committee G and keeps 15.
 */
import type { QuotaPlan } from '../../../domain/quotas';

export function smallPlan(): QuotaPlan {
  return {
    year: 2026,
    rootUnitId: 'P',
    units: [
      {
        unitId: 'P',
        name: 'Tỉnh ủy Quảng Nam',
        target: 100,
        sectors: { stateEnterprise: 20, nonStateEnterprise: 30, pupilsStudents: 50 },
        groups: { women: 40 },
      },
      {
        unitId: 'X',
        parentUnitId: 'P',
        name: 'Đảng ủy xã Duy Xuyên',
        target: 60,
        sectors: { stateEnterprise: 10, nonStateEnterprise: 20, pupilsStudents: 30 },
        groups: { women: 25 },
      },
      {
        unitId: 'Y',
        parentUnitId: 'P',
        name: 'Đảng ủy xã Duy Phước',
        target: 40,
        sectors: { stateEnterprise: 10, nonStateEnterprise: 10, pupilsStudents: 20 },
        groups: { women: 15 },
      },
      {
        unitId: 'G',
        parentUnitId: 'X',
        name: 'Đảng ủy Công ty Dệt may Duy Xuyên',
        target: 60,
        sectors: { stateEnterprise: 10, nonStateEnterprise: 20, pupilsStudents: 30 },
        groups: { women: 25 },
      },
    ],
  };
}
