/**
 * The activities of the yearly quota workflow: the plan and every unit's attainment as of a checkpoint,
 * the checkpoint's results, the notices and escalations (exactly once each through the outbox, keyed by
 * (`quota:<year>:<unitId>`, `checkpoint-<n>`, level, 1)), and the monthly check of cell meetings (keyed by
 * (`meetings:<YYYY-MM>:<committeeId>`, `month-<YYYY-MM>`, 'meeting-missing', 1)).
 */
import { ApplicationFailure } from '@temporalio/common';
import { actorRecipients, bodyOn, provincialStandingRecipients, type OrgSnapshot, type Recipient } from '../domain/org';
import { cellsWithoutMeeting, committeeOf, type UnitCheckpoint, type UnitTally } from '../domain/quotas';
import type { QuotaPlan } from '../domain/quotas';
import { isDomainError } from '../domain/errors';
import type { AcceptedLog } from './mail/accepted-log';
import { sendOnce, type MailTransport } from './mail/outbox';
import { isoToVi, meetingMissingMail, quotaEscalationMail, quotaNoticeMail } from './mail/quota-templates';
import type { Models } from './store/models';
import { loadOrg } from './store/org-store';
import { cellIdsOn, computeAttainment, loadMeetings, saveCheckpointResults } from './store/quota-store';

export interface QuotaActivityDeps {
  models: Models;
  mail: MailTransport;
  publicUrl: string;
  now?: () => Date;
  /**
   * This machine's record of the e-mails the SMTP server accepted (activities/mail/accepted-log.ts); without one
   * an e-mail accepted just before the worker died is sent again once its claim lapses.
   */
  accepted?: AcceptedLog;
}

export interface LoadQuotaCheckpointInput {
  year: number;
  asOf: string;
}

export interface QuotaCheckpointData {
  plan: QuotaPlan;
  tallies: Record<string, UnitTally>;
}

export interface SaveQuotaCheckpointInput {
  year: number;
  n: number;
  asOf: string;
  units: UnitCheckpoint[];
}

export interface QuotaMailRequest {
  year: number;
  n: number;
  asOf: string;
  level: 'notice' | 'escalation';
  thresholdPct: number;
  unit: UnitCheckpoint;
}

export interface CheckCellMeetingsInput {
  /** 'YYYY-MM' */
  month: string;
}

export interface CellMeetingFlags {
  month: string;
  /** Per committee, the cells with no meeting recorded in the month, and whether its notice went out. */
  committees: { committeeId: string; cellIds: string[]; mailed: boolean }[];
}

/** The outbox case id of a unit's quota e-mails. */
export const quotaMailCaseId = (year: number, unitId: string): string => `quota:${year}:${unitId}`;

function dedupe(list: Recipient[]): Recipient[] {
  const seen = new Set<string>();
  return list.filter((r) => !seen.has(r.email.toLowerCase()) && seen.add(r.email.toLowerCase()));
}

/** The secretary and deputies of a unit (in the unit or its standing board) and the unit's mailbox. */
export function unitLeaders(org: OrgSnapshot, unitId: string, onDate: string): Recipient[] {
  const roles: ['secretary', 'deputySecretary'] = ['secretary', 'deputySecretary'];
  const found: Recipient[] = [];
  for (const inner of [undefined, 'standingBoard'] as const) {
    try {
      found.push(
        ...actorRecipients(org, {
          actor: { body: { anchor: 'caseUnit', inner }, roles, label: 'Bí thư, phó bí thư' },
          caseUnitId: unitId,
          onDate,
        })
      );
    } catch (e) {
      if (!isDomainError(e)) throw e;
    }
  }
  return dedupe(found);
}

const noRecipient = (what: string): never => {
  throw ApplicationFailure.nonRetryable(`no recipient for ${what}`, 'NO_RECIPIENT');
};

export function createQuotaActivities(deps: QuotaActivityDeps) {
  const now = deps.now ?? (() => new Date());
  const reportUrl = (path: string): string => `${deps.publicUrl}${path}`;
  return {
    /** The year's plan and every unit's tally from 1 January to the checkpoint's date. */
    async loadQuotaCheckpoint(input: LoadQuotaCheckpointInput): Promise<QuotaCheckpointData> {
      try {
        const { plan, tallies } = await computeAttainment(deps.models, input.year, input.asOf);
        return { plan, tallies };
      } catch (e) {
        if (isDomainError(e)) {
          throw ApplicationFailure.create({
            message: e.message,
            type: e.code,
            nonRetryable: true,
            details: [e.toData()],
          });
        }
        throw e;
      }
    },

    /** Stores a checkpoint's results by (year, checkpoint, unit): a retry writes the same. */
    async saveQuotaCheckpoint(input: SaveQuotaCheckpointInput): Promise<void> {
      await saveCheckpointResults(deps.models, input.year, input.n, input.asOf, input.units);
    },

    /** The notice to a unit's leaders, or the escalation to Thường trực Tỉnh ủy: once per key. */
    async sendQuotaMail(input: QuotaMailRequest): Promise<{ status: string; messageId: string }> {
      const org = await loadOrg(deps.models);
      const leaders = unitLeaders(org, input.unit.unitId, input.asOf);
      const to =
        input.level === 'notice'
          ? leaders
          : (() => {
              try {
                return provincialStandingRecipients(org, input.asOf);
              } catch {
                return [];
              }
            })();
      if (to.length === 0) noRecipient(`the quota ${input.level} of ${input.unit.unitId}`);
      const content = {
        to: to.map((r) => r.email),
        year: input.year,
        asOfText: isoToVi(input.asOf),
        thresholdPct: input.thresholdPct,
        unit: input.unit,
        leaderNames: leaders.filter((r) => r.personId).map((r) => r.name),
        reportUrl: reportUrl(`/quotas/${input.year}`),
      };
      const mail = input.level === 'notice' ? quotaNoticeMail(content) : quotaEscalationMail(content);
      return sendOnce(
        deps.models,
        deps.mail,
        {
          caseId: quotaMailCaseId(input.year, input.unit.unitId),
          stepId: `checkpoint-${input.n}`,
          level: input.level,
          round: 1,
        },
        mail,
        now,
        undefined,
        deps.accepted
      );
    },

    /**
     * Flags the cells with no meeting recorded in `month` and tells each committee concerned, once per
     * (committee, month). A committee with nobody to write to is reported with `mailed: false`.
     */
    async checkCellMeetings(input: CheckCellMeetingsInput): Promise<CellMeetingFlags> {
      return checkCellMeetings(
        deps.models,
        deps.mail,
        input.month,
        reportUrl(`/meetings/${input.month}`),
        now,
        deps.accepted
      );
    },
  };
}

/** The last day of a 'YYYY-MM' month. */
function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${month}-${String(last).padStart(2, '0')}`;
}

/** The cells without a meeting in `month`, grouped by committee (derived, nothing stored). */
export async function meetingFlags(
  models: Models,
  month: string
): Promise<{ org: OrgSnapshot; byCommittee: Map<string, string[]> }> {
  const onDate = monthEnd(month);
  const [org, records] = await Promise.all([loadOrg(models), loadMeetings(models, [month])]);
  const missing = cellsWithoutMeeting(cellIdsOn(org, onDate), records, month);
  const byCommittee = new Map<string, string[]>();
  for (const cellId of missing) {
    const committeeId = committeeOf(org, cellId, onDate);
    byCommittee.set(committeeId, [...(byCommittee.get(committeeId) ?? []), cellId]);
  }
  return { org, byCommittee };
}

export async function checkCellMeetings(
  models: Models,
  transport: MailTransport,
  month: string,
  link: string,
  now: () => Date = () => new Date(),
  accepted?: AcceptedLog
): Promise<CellMeetingFlags> {
  const onDate = monthEnd(month);
  const { org, byCommittee } = await meetingFlags(models, month);
  const committees: CellMeetingFlags['committees'] = [];
  for (const [committeeId, cellIds] of [...byCommittee].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const to = unitLeaders(org, committeeId, onDate);
    if (to.length > 0) {
      await sendOnce(
        models,
        transport,
        { caseId: `meetings:${month}:${committeeId}`, stepId: `month-${month}`, level: 'meeting-missing', round: 1 },
        meetingMissingMail({
          to: to.map((r) => r.email),
          committeeName: bodyOn(org, committeeId, onDate)?.name ?? committeeId,
          month,
          cells: cellIds.map((id) => ({ id, name: bodyOn(org, id, onDate)?.name ?? id })),
          reportUrl: link,
        }),
        now,
        undefined,
        accepted
      );
    }
    committees.push({ committeeId, cellIds, mailed: to.length > 0 });
  }
  return { month, committees };
}

export type QuotaActivities = ReturnType<typeof createQuotaActivities>;
