/**
 * The escalation benchmark's process: one step whose deadline every case shares (a campaign deadline caps
 * the step's own), and a ladder of exactly one e-mail — the escalation to Thường trực Tỉnh ủy one second
 * after the due instant. M open cases therefore owe exactly M e-mails, all scheduled for the same instant.
 */
import { buildGenericProcess } from '../../domain/processes/generic';
import type { ProcessDefinition } from '../../domain/processes/model';
import type { LegalBasis } from '../../domain/types';

export const ESCALATE_AFTER_MS = 1000;
export const ESCALATION_STEP = 'S1';

const BASIS: LegalBasis = {
  citation: 'Quy chế làm việc của Tỉnh ủy (đo hiệu năng)',
  effectiveFrom: '2025-01-01',
  confirmed: false,
  note: 'Quy trình chỉ dùng để đo hiệu năng, không phải quy định.',
};

export function escalationDefinition(): ProcessDefinition {
  return buildGenericProcess({
    code: 'bench-escalation',
    titleVi: 'Đo hiệu năng: cảnh báo quá hạn',
    effectiveFrom: '2025-01-01',
    basis: BASIS,
    steps: [
      {
        id: ESCALATION_STEP,
        title: 'Chi bộ xem xét hồ sơ',
        actor: { body: { anchor: 'caseUnit' }, roles: ['secretary', 'deputySecretary'], label: 'Chi bộ' },
        act: 'signature',
        deadline: { unit: 'duration', iso: 'P30D' },
        ladder: {
          noticeAtDue: false,
          escalateAfter: { unit: 'duration', iso: `PT${ESCALATE_AFTER_MS / 1000}S` },
          maxRounds: 1,
        },
      },
    ],
  });
}
