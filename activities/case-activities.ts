/**
 * The activities of the chain workflow: the MongoDB record of a case (projection, step runs, hash-chained
 * audit), the slice of the organisation tree a case needs, and the e-mails of the escalation ladder and of
 * the outcome. Every one is idempotent, because Temporal may run an activity more than once: writes are
 * keyed by business ids and guarded by the case's revision, and each e-mail goes through the outbox once
 * per (case, step, level, round).
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { OrgSnapshot } from '../domain/org';
import type { AcceptedLog } from './mail/accepted-log';
import type { ArmedMailSchedule } from './mail/dispatcher';
import {
  armMessage,
  disarmMessages,
  sendOnce,
  type MailTransport,
  type OutboxKey,
  type OutgoingMail,
} from './mail/outbox';
import { caseMail, type CaseMailContent, type CaseMailKind } from './mail/templates';
import { verifyAuditChain, type AuditVerification } from './store/audit';
import { persistCase, type PersistCaseInput, type PersistCaseResult } from './store/case-store';
import { loadOrgSlice, type LoadOrgSliceInput } from './store/org-store';
import type { Models } from './store/models';

export type { AuditAppend, AuditProblem, AuditProblemCode, AuditVerification } from './store/audit';
export { verifyAuditChain } from './store/audit';
export type { CaseProjection, PersistCaseInput, PersistCaseResult, StepRunView } from './store/case-store';
export { loadCase } from './store/case-store';
export type { LoadOrgSliceInput } from './store/org-store';
export { loadOrg, saveOrg } from './store/org-store';
export type { CaseMailKind } from './mail/templates';

export interface CaseActivityDeps {
  models: Models;
  mail: MailTransport;
  /** Base address of the web UI, for links in e-mails. */
  publicUrl: string;
  now?: () => Date;
  /** The worker's mail dispatcher, which sends armed e-mails at their instant; without one the cases send them. */
  dispatcher?: ArmedMailSchedule;
  /**
   * This machine's record of the e-mails the SMTP server accepted (activities/mail/accepted-log.ts); without one
   * an e-mail accepted just before the worker died is sent again once its claim lapses.
   */
  accepted?: AcceptedLog;
}

/** What the workflow sends: the template's content less the link, which the activity builds, plus the outbox key. */
export type CaseMailInput = Omit<CaseMailContent, 'caseUrl'> & {
  /** The outbox key: the e-mail goes out once per (case, step, level, round). */
  key: { caseId: string; stepId: string; level: string; round: number };
  kind: CaseMailKind;
};

/**
 * The ladder e-mails of a case's next timer, armed ahead of its instant `sendAt` (workflows/chain.ts), and those
 * armed before that are no longer owed.
 */
export interface MailArming {
  sendAt: number;
  arm: CaseMailInput[];
  disarm: OutboxKey[];
}

export interface VerifyAuditInput {
  /** One case; every case when absent. */
  caseId?: string;
}

/** How often an e-mail activity heartbeats: well inside the workflow's 30-second heartbeat timeout. */
const MAIL_HEARTBEAT_MS = 5_000;

/** The running activity's context, or undefined when called outside an activity. */
function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** Addresses trimmed, empty ones dropped, each once (case-insensitive), in the order given. */
function recipients(to: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of to) {
    const address = raw.trim();
    if (address === '' || seen.has(address.toLowerCase())) continue;
    seen.add(address.toLowerCase());
    out.push(address);
  }
  return out;
}

/**
 * Runs the writes of one case one at a time in this process, in the order they were asked for. The MongoDB-
 * protocol server this project runs on (FerretDB 1.x) applies a conditional update as a read and then a write
 * of the whole document, so two updates of one case document at once can both pass the revision guard and the
 * older land last, taking the newer revision and its audit count with it. That happens when a local activity
 * outlives its timeout (a stalled database): it is retried beside the attempt still under way, and the
 * workflow moves on to its next revision while the stalled attempt's writes are still on their way.
 *
 * A write waits for the one before it at most `waitMs` (three local-activity timeouts): one that hangs longer
 * is stuck on a connection that will not answer (a database host gone without closing it), and holding the
 * case's every later write behind it would stop the case instead.
 */
export function perCaseQueue(waitMs = 30_000): <T>(caseId: string, write: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(caseId: string, write: () => Promise<T>): Promise<T> => {
    const before = tails.get(caseId);
    let timer: NodeJS.Timeout | undefined;
    const waited = before
      ? Promise.race([before, new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]).finally(() =>
          clearTimeout(timer)
        )
      : Promise.resolve();
    const run = waited.then(write);
    const tail = run.catch(() => undefined);
    tails.set(caseId, tail);
    void tail.then(() => {
      if (tails.get(caseId) === tail) tails.delete(caseId);
    });
    return run;
  };
}

export function createCaseActivities(deps: CaseActivityDeps) {
  const now = deps.now ?? (() => new Date());
  const serial = perCaseQueue();

  /** The Vietnamese e-mail of `input`, or a non-retryable failure when it has no recipient. */
  const render = (input: CaseMailInput): OutgoingMail => {
    const to = recipients(input.to);
    if (to.length === 0) {
      throw ApplicationFailure.nonRetryable(
        `no recipient for the ${input.kind} e-mail of ${input.caseId}/${input.key.stepId}`,
        'NO_RECIPIENT'
      );
    }
    const content: CaseMailContent = {
      to,
      caseId: input.caseId,
      caseTitle: input.caseTitle,
      processTitle: input.processTitle,
      stepTitle: input.stepTitle,
      actorLabel: input.actorLabel,
      actorNames: input.actorNames,
      deadlineText: input.deadlineText,
      overdueWorkingDays: input.overdueWorkingDays,
      round: input.round,
      reporterName: input.reporterName,
      obstacleText: input.obstacleText,
      decisionText: input.decisionText,
      caseUrl: `${deps.publicUrl}/cases/${encodeURIComponent(input.caseId)}`,
    };
    return caseMail(input.kind, content);
  };

  const arm = async (input: MailArming): Promise<void> => {
    await disarmMessages(deps.models, input.disarm);
    const token = deps.dispatcher?.tokenFor(input.sendAt);
    let armed = false;
    for (const mail of input.arm) {
      if (recipients(mail.to).length === 0) continue;
      armed = (await armMessage(deps.models, mail.key, render(mail), input.sendAt, token, now)) || armed;
    }
    if (armed) deps.dispatcher?.schedule(input.sendAt);
  };

  return {
    /**
     * Writes one revision of a case: appends its new audit entries to the hash chain beside its step runs,
     * then the case document, each only if the stored revision is older. A retry of an older revision
     * changes nothing; an audit entry whose predecessor is not stored yet fails retryably, before the case
     * document is written. The writes of one case run one call at a time in this worker (perCaseQueue).
     */
    async persistCase(input: PersistCaseInput & { mail?: MailArming }): Promise<PersistCaseResult> {
      const { mail, ...record } = input;
      return serial(record.projection.caseId, async () => {
        const result = await persistCase(deps.models, record);
        if (mail) await arm(mail);
        return result;
      });
    },

    /**
     * Arms the ladder e-mails of a case's next timer in the outbox, for the worker's dispatcher to send at their
     * instant, and disarms those no longer owed. Arming again rewrites an armed message; a sent one stays sent.
     */
    async armCaseMails(input: MailArming): Promise<void> {
      const caseId = input.arm[0]?.key.caseId ?? input.disarm[0]?.caseId;
      await (caseId === undefined ? arm(input) : serial(caseId, () => arm(input)));
    },

    /** The bodies, roles, delegations and people a case of `caseUnitId` needs (see loadOrgSlice). */
    async loadOrgSlice(input: LoadOrgSliceInput): Promise<OrgSnapshot> {
      return loadOrgSlice(deps.models, input);
    },

    /** Renders the Vietnamese e-mail of `kind` and sends it exactly once per `key`. */
    async sendCaseMail(input: CaseMailInput): Promise<{ status: string; messageId: string }> {
      const mail = render(input);
      // Heartbeats while it sends (the workflow's heartbeat timeout is 30 s); called outside an activity
      // (tests, tools) it just sends.
      const beat = currentContext();
      const timer = beat ? setInterval(() => beat.heartbeat(), MAIL_HEARTBEAT_MS) : undefined;
      try {
        return await sendOnce(deps.models, deps.mail, input.key, mail, now, undefined, deps.accepted);
      } finally {
        clearInterval(timer);
      }
    },

    /** Recomputes the audit chain of one case or of all, and reports every break found. */
    async verifyAudit(input: VerifyAuditInput): Promise<AuditVerification> {
      return verifyAuditChain(deps.models, input.caseId);
    },
  };
}

export type CaseActivities = ReturnType<typeof createCaseActivities>;
