/**
 * cadreflow's activities, built by a factory over small interfaces so that the worker is the only place
 * that wires real connections. Every activity is idempotent: Temporal may run it more than once.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Models } from './store/models';
import { escalationMail } from './mail/templates';
import type { AcceptedLog } from './mail/accepted-log';
import { sendOnce, type MailTransport } from './mail/outbox';
import { createCaseActivities } from './case-activities';
import type { ArmedMailSchedule } from './mail/dispatcher';
import { createQuotaActivities } from './quota-activities';

export interface ActivityDeps {
  models: Models;
  mail: MailTransport;
  /** Base address of the web UI, for links in e-mails. */
  publicUrl: string;
  now?: () => Date;
  /** The worker's mail dispatcher (activities/mail/dispatcher.ts); without one the cases send their e-mails. */
  dispatcher?: ArmedMailSchedule;
  /**
   * This machine's record of the e-mails the SMTP server accepted (activities/mail/accepted-log.ts); without one
   * an e-mail accepted just before the worker died is sent again once its claim lapses.
   */
  accepted?: AcceptedLog;
}

export interface RecordDecisionInput {
  caseId: string;
  stepId: string;
  personId: string;
  decision: 'approve' | 'refuse';
  reason?: string;
  /** The instant of the decision as the workflow saw it (epoch ms), so a retry writes the same. */
  decidedAt: number;
}

export interface SendEscalationInput {
  caseId: string;
  caseTitle: string;
  stepId: string;
  stepTitle: string;
  round: number;
  to: string[];
  actors: string[];
  dueAt: number;
}

const VN_OFFSET_MS = 7 * 3600_000;

/** dd/mm/yyyy of an instant in Vietnam (UTC+7, no daylight saving). */
export function formatVnDate(epochMs: number): string {
  const d = new Date(epochMs + VN_OFFSET_MS);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
}

export function createActivities(deps: ActivityDeps) {
  const now = deps.now ?? (() => new Date());
  return {
    ...createCaseActivities(deps),
    ...createQuotaActivities(deps),
    /** Stores a decision once: a retry or replay with the same (case, step) leaves the first one in place. */
    async recordDecision(input: RecordDecisionInput): Promise<void> {
      await deps.models.Decision.updateOne(
        { _id: `${input.caseId}|${input.stepId}` },
        {
          $setOnInsert: {
            caseId: input.caseId,
            stepId: input.stepId,
            personId: input.personId,
            decision: input.decision,
            reason: input.reason,
            decidedAt: new Date(input.decidedAt),
          },
        },
        { upsert: true }
      );
    },

    /** Tells Thường trực Tỉnh ủy that a step is overdue: once per (case, step, level, round). */
    async sendEscalation(input: SendEscalationInput): Promise<{ status: string; messageId: string }> {
      if (input.to.length === 0) {
        throw ApplicationFailure.nonRetryable(
          `no recipient for the escalation of ${input.caseId}/${input.stepId}`,
          'NO_RECIPIENT'
        );
      }
      const overdueMs = Math.max(0, now().getTime() - input.dueAt);
      const mail = escalationMail({
        to: input.to,
        caseTitle: input.caseTitle,
        caseUrl: `${deps.publicUrl}/cases/${encodeURIComponent(input.caseId)}`,
        stepTitle: input.stepTitle,
        actors: input.actors,
        dueText: `hạn ${formatVnDate(input.dueAt)}`,
        overdueText:
          overdueMs < 86_400_000 ? 'quá hạn chưa đến 1 ngày' : `quá hạn ${Math.floor(overdueMs / 86_400_000)} ngày`,
      });
      return sendOnce(
        deps.models,
        deps.mail,
        { caseId: input.caseId, stepId: input.stepId, level: 'escalation', round: input.round },
        mail,
        now,
        undefined,
        deps.accepted
      );
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
