/**
 * The one engine every process runs on. It holds the case state of domain/chain.ts, maps each human act
 * (an Update) and each timer to the domain's functions, and carries out their effects through activities:
 * the record and audit trail in MongoDB, and e-mails through the exactly-once outbox.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
  type RetryPolicy,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { AuditAppend, CaseMailInput, CaseProjection, PersistCaseResult } from '../activities/case-activities';
import { vnDateOf } from '../domain/calendar/days';
import { formatDeadline } from '../domain/calendar/format';
import { createWorkingCalendar } from '../domain/calendar/working-calendar';
import {
  alreadyApplied,
  applyAct,
  applyTimer,
  currentRun,
  escalationLevel,
  nextTimer,
  startCase,
  validateAct,
  type ActRequest,
  type CaseState,
  type ChainContext,
  type MailEffect,
  type Transition,
} from '../domain/chain';
import { DomainError } from '../domain/errors';
import { followingRung } from '../domain/ladder';
import { actorRecipients, holdersOf, recipientsFor, resolveBody, type OrgSnapshot } from '../domain/org';
import type { StepDefinition } from '../domain/processes/model';
import {
  actOnCaseUpdate,
  auditTailQuery,
  CHAIN_CODE_LEVEL,
  caseRecordedUpdate,
  getCaseQuery,
  orgChangedSignal,
  type CaseView,
  type ChainInput,
  type RejectionDetails,
} from './messages';

// A lost mail server or database is waited out: every activity is idempotent.
const RETRY: RetryPolicy = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
  nonRetryableErrorTypes: ['NO_RECIPIENT'],
};

const remote = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: RETRY,
});

/**
 * E-mails: an attempt heartbeats while it works, so one that is only slow (a loaded database, a slow mail
 * server) is left to finish instead of being retried beside it — which the outbox's lease could not always
 * stop when the database itself lagged by a minute — and one whose worker died is retried within the
 * heartbeat timeout.
 */
const mailing = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: RETRY,
});

/**
 * The record and the organisation slice are short database calls on the worker that runs the case, so they
 * run as local activities: an act is one workflow task, not three round trips through the Temporal server.
 * A crash mid-call re-runs the call in the next workflow task; both are idempotent. E-mails stay ordinary
 * activities (an SMTP outage can outlast a workflow task by far).
 */
const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: RETRY,
});

/** Cases started before the record went local keep replaying with ordinary activities. */
const LOCAL_STORE_PATCH = 'store-as-local-activities';

/**
 * E-mails are sent beside the case, not in its queue: an act or a timer no longer waits for the e-mails of the
 * one before it, so a mail server down for an hour holds up no one's sign-off. Cases that ran before keep
 * replaying with each e-mail awaited in turn.
 */
const MAIL_BESIDE_PATCH = 'mail-beside-the-queue';

/**
 * A ladder e-mail is armed in the outbox ahead of its instant, so that the worker's mail dispatcher sends it on
 * the dot however many fall due at once; the case records the rung itself a little after (ARMED_GRACE_MS), or
 * at once when an act comes in after the instant. Cases that ran before send each rung from their own timer.
 */
const ARMED_MAIL_PATCH = 'armed-ladder-mail';

/** How long before its instant a ladder e-mail is armed. */
export const ARM_LEAD_MS = 60 * 60_000;

/** How long after an armed e-mail's instant the case's own timer records the rung (and sends it, if still owed). */
export const ARMED_GRACE_MS = 60_000;

const DEFAULT_HISTORY_LIMIT = 10_000;

/** What the outbox must change for a case's next rung (activities/case-activities.ts). */
type MailArming = Parameters<Activities['armCaseMails']>[0];

/** Turns a domain refusal into the Update's failure: stable code, Vietnamese message, nothing written. */
function rejection(e: unknown): never {
  if (e instanceof DomainError) {
    const details: RejectionDetails = { code: e.code, messageVi: e.messageVi };
    throw ApplicationFailure.create({ message: e.message, type: e.code, nonRetryable: true, details: [details] });
  }
  throw e;
}

function stepOf(ctx: ChainContext, stepId: string): StepDefinition {
  return ctx.definition.steps.find((s) => s.id === stepId) as StepDefinition;
}

/** The body directly under the province that the case's unit belongs to, for "overdue by committee". */
function committeeOf(org: OrgSnapshot, unitId: string): string {
  let id = unitId;
  for (let i = 0; i < 32; i++) {
    const body = org.bodies.find((b) => b.id === id);
    const parent = body?.parentId ? org.bodies.find((b) => b.id === body.parentId) : undefined;
    if (!body || !parent || parent.kind === 'provincialCommittee') return id;
    id = parent.id;
  }
  return id;
}

export function caseView(ctx: ChainContext, state: CaseState): CaseView {
  const run = currentRun(state);
  const view: CaseView = {
    caseId: state.caseId,
    process: state.process,
    version: state.version,
    status: state.status,
    revision: state.revision,
    state,
  };
  if (run) {
    const step = stepOf(ctx, run.stepId);
    view.current = {
      stepId: run.stepId,
      run: run.run,
      title: step.title,
      status: run.status,
      actorLabel: run.status === 'returned' && step.onReturn ? step.onReturn.returnTo.label : step.actor.label,
      openedAt: run.openedAt,
      dueAt: run.dueAt,
      deadlineText:
        run.dueAt !== undefined && step.deadline ? formatDeadline(step.deadline.period, run.dueAt) : undefined,
    };
  }
  return view;
}

function projection(ctx: ChainContext, state: CaseState, input: ChainInput, now: number): CaseProjection {
  const run = currentRun(state);
  const step = run ? stepOf(ctx, run.stepId) : undefined;
  const actor =
    run && step ? (run.status === 'returned' && step.onReturn ? step.onReturn.returnTo : step.actor) : undefined;
  let actorBodyId: string | undefined;
  let actorPersonIds: string[] = [];
  if (actor) {
    const today = vnDateOf(now);
    try {
      actorBodyId = resolveBody(ctx.org, actor.body, state.caseUnitId, state.startedOn).id;
      const holders = holdersOf(ctx.org, actorBodyId, actor.roles, today).map((a) => a.personId);
      const delegations = [...ctx.org.delegations, ...state.delegations];
      const delegates = delegations
        .filter(
          (d) =>
            holders.includes(d.fromPersonId) &&
            d.from <= today &&
            today <= d.to &&
            (!d.stepIds || d.stepIds.includes(step!.id))
        )
        .map((d) => d.toPersonId);
      actorPersonIds = [...new Set([...holders, ...delegates])];
    } catch {
      // An actor the tree cannot resolve leaves the inbox empty; the ladder still escalates to the top.
    }
  }
  return {
    caseId: state.caseId,
    process: state.process,
    processTitle: ctx.definition.titleVi,
    version: state.version,
    title: state.title,
    caseUnitId: state.caseUnitId,
    committeeId: committeeOf(ctx.org, state.caseUnitId),
    campaignId: input.campaignId,
    subjectName: state.subjectName,
    status: state.status,
    currentStepId: run?.stepId,
    currentStepTitle: step?.title,
    actorLabel: actor?.label,
    actorBodyId,
    actorPersonIds,
    dueAt: run?.status === 'returned' ? run.returned?.resubmitBy : run?.dueAt,
    escalationLevel: escalationLevel(state),
    obstacles: state.runs.reduce((n, r) => n + r.obstacles, 0),
    startedAt: state.startedAt,
    updatedAt: now,
    revision: state.revision,
    steps: state.runs.map((r) => {
      const s = stepOf(ctx, r.stepId);
      return {
        stepId: r.stepId,
        run: r.run,
        title: s.title,
        status: r.status,
        outcome: r.outcome,
        openedAt: r.openedAt,
        dueAt: r.dueAt,
        closedAt: r.closedAt,
        actorLabel: s.actor.label,
        actedBy: r.actedBy,
        onBehalfOf: r.onBehalfOf,
        votes: r.votes.map((v) => ({
          round: v.round,
          approve: v.approve,
          base: v.base,
          present: v.present,
          passed: v.passed,
          explanation: v.explanation,
        })),
        returned: r.returned
          ? {
              reasonCode: r.returned.reasonCode,
              reasonLabel: r.returned.reasonLabel,
              note: r.returned.note,
              at: r.returned.at,
              resubmitBy: r.returned.resubmitBy,
            }
          : undefined,
        extendedTo: r.extensions > 0 ? r.dueAt : undefined,
        documents: r.documents,
      };
    }),
  };
}

/**
 * The step part of an e-mail's outbox key: the step, its run when it is run again (C8#2), and the ladder
 * cycle when its ladder started again after an extension or a return (C11~1), so that every rung of
 * every cycle is its own e-mail, sent once.
 */
function outboxStep(effect: MailEffect): string {
  return `${effect.stepId}${effect.run > 1 ? `#${effect.run}` : ''}${effect.cycle ? `~${effect.cycle}` : ''}`;
}

function mailInput(ctx: ChainContext, state: CaseState, effect: MailEffect, now: number): CaseMailInput {
  const step = stepOf(ctx, effect.stepId);
  const run = state.runs.find((r) => r.stepId === effect.stepId && r.run === effect.run);
  const today = vnDateOf(now);
  const rctx = {
    actor: step.actor,
    caseUnitId: state.caseUnitId,
    onDate: today,
    caseStartedOn: state.startedOn,
    stepId: step.id,
  };
  const safe = <T>(f: () => T[]): T[] => {
    try {
      return f();
    } catch {
      return [];
    }
  };
  const recipients =
    effect.audience === 'caseUnit'
      ? safe(() => actorRecipients(ctx.org, { ...rctx, actor: stepOf(ctx, ctx.definition.startStep).actor }))
      : safe(() => recipientsFor(ctx.org, effect.audience as Exclude<MailEffect['audience'], 'caseUnit'>, rctx));
  const actors = safe(() => actorRecipients(ctx.org, rctx));
  const dueAt = run?.status === 'returned' ? run.returned?.resubmitBy : run?.dueAt;
  const overdue = dueAt !== undefined && now > dueAt ? ctx.calendar.overdueWorkingDays(dueAt, now) : undefined;
  const reporter = effect.reporterId ? ctx.org.people.find((p) => p.id === effect.reporterId) : undefined;
  return {
    // The outbox key names the step run, so a step run again has its own ladder of e-mails.
    key: { caseId: state.caseId, stepId: outboxStep(effect), level: effect.level, round: effect.round },
    kind: effect.mail,
    to: [...new Set(recipients.map((r) => r.email))],
    caseId: state.caseId,
    caseTitle: state.title,
    processTitle: ctx.definition.titleVi,
    stepTitle: step.title,
    actorLabel: step.actor.label,
    actorNames: actors.map((a) => a.name),
    deadlineText: dueAt !== undefined && step.deadline ? formatDeadline(step.deadline.period, dueAt) : undefined,
    overdueWorkingDays: overdue,
    round: effect.round,
    reporterName: reporter?.name ?? effect.reporterId,
    obstacleText: effect.obstacleText,
    decisionText: effect.decisionText,
  };
}

/**
 * A case started at a code level above this worker's takes paths this code does not know, and its history would
 * not replay here: its workflow task fails (a plain Error, not a failure of the workflow) and the server gives it
 * again, to a worker of that level once one polls — during a rolling deploy, a worker not yet replaced. Nothing of
 * the case is written by this worker.
 */
function refuseNewerCodeLevel(level: number | undefined): void {
  if (level !== undefined && level > CHAIN_CODE_LEVEL)
    throw new Error(
      `case started at code level ${level}; this worker runs level ${CHAIN_CODE_LEVEL}: a newer worker must run it`
    );
}

/**
 * Runs one case of any process from its pinned definition: waits for acts, fires the ladder's timers,
 * continues as new when the history grows long (probation lasts a year), and ends when the case is
 * completed, refused, withdrawn or sent up to the superior committee.
 */
export async function chainWorkflow(input: ChainInput): Promise<CaseView> {
  refuseNewerCodeLevel(input.codeLevel);
  const calendar = createWorkingCalendar({ schedules: input.schedules });
  // (The proxies resolve names on access: picked by name, never spread.)
  // At CHAIN_CODE_LEVEL the patches' paths are the only ones, taken without a marker (`||` leaves patched() out).
  const leveled = (input.codeLevel ?? 0) >= CHAIN_CODE_LEVEL;
  const store = leveled || patched(LOCAL_STORE_PATCH) ? local : remote;
  const { persistCase, loadOrgSlice } = store;
  const { armCaseMails } = local;
  const { sendCaseMail } = mailing;
  const mailBeside = leveled || patched(MAIL_BESIDE_PATCH);
  const arming = leveled || patched(ARMED_MAIL_PATCH);
  // Handlers are registered before the first await, so that a query or an act right after the start
  // finds them; until the organisation slice is loaded, acts are checked in full only by the handler,
  // which runs after the load.
  let org: OrgSnapshot = input.resume?.org ?? { bodies: [], people: [], assignments: [], delegations: [] };
  let orgLoaded = input.resume !== undefined;
  const ctx = (): ChainContext => ({ definition: input.definition, calendar, org });
  let orgDirty = false;

  // Acts and timers change the state one at a time: each waits for the previous one's record to be written
  // (its e-mails go beside the queue, see `sending`).
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn);
    queue = next.catch(() => undefined);
    return next;
  };

  // The e-mails under way; every one is waited for before the case ends or continues as new.
  const sending = new Set<Promise<void>>();
  let mailFailure: Error | undefined;
  /** Until no act or timer is in hand and no e-mail under way (an act let in meanwhile may send more). */
  const settled = async (): Promise<void> => {
    for (;;) {
      await queue;
      await condition(allHandlersFinished);
      if (sending.size === 0) break;
      await Promise.all([...sending]);
    }
    if (mailFailure !== undefined) throw mailFailure;
  };

  let state: CaseState;
  let written: PersistCaseResult | undefined;

  /**
   * The ladder e-mails the outbox holds armed for the next timer: its instant, the state they were armed for, and
   * until when the case may wait to record the rung (the grace, or the next rung's instant if that is sooner).
   */
  let armed: { at: number; until: number; revision: number; keys: CaseMailInput['key'][] } | undefined;
  const sameKey = (a: CaseMailInput['key'], b: CaseMailInput['key']): boolean =>
    a.caseId === b.caseId && a.stepId === b.stepId && a.level === b.level && a.round === b.round;
  /** The rung after `k` on its step run's ladder, keyed as `k` (domain/ladder.ts, followingRung). */
  const nextRung = (k: CaseMailInput['key']): CaseMailInput['key'] | undefined => {
    const rung = followingRung(k.level, k.round);
    return rung ? { ...k, ...rung } : undefined;
  };

  /**
   * The e-mails the next ladder timer of `s` will send, when it falls within ARM_LEAD_MS of `now` (and not yet
   * due): what the domain's transition at that instant gives, rendered for that instant.
   */
  const toArm = (s: CaseState, now: number): { at: number; until: number; mails: CaseMailInput[] } | undefined => {
    if (!arming) return undefined;
    const timer = nextTimer(ctx(), s, now);
    if (!timer || timer.kind !== 'ladder' || timer.at <= now || timer.at - now > ARM_LEAD_MS) return undefined;
    const t = applyTimer(ctx(), s, timer, timer.at);
    const mails = t.effects
      .filter((x): x is MailEffect => x.kind === 'mail')
      .map((e) => mailInput(ctx(), t.state, e, timer.at))
      .filter((m) => m.to.length > 0);
    const following = nextTimer(ctx(), t.state, timer.at);
    const until = Math.min(timer.at + ARMED_GRACE_MS, following?.at ?? Infinity);
    return mails.length > 0 ? { at: timer.at, until, mails } : undefined;
  };

  /**
   * What the outbox must change for the state `s` now: arm the next timer's e-mails, and disarm those armed
   * before that are no longer owed (`sending` are the keys this transition sends itself). Remembers the result.
   */
  const rearm = (s: CaseState, now: number, sending: CaseMailInput['key'][] = []): MailArming | undefined => {
    const next = toArm(s, now);
    const keep = [...sending, ...(next?.mails.map((m) => m.key) ?? [])];
    const kept = (k: CaseMailInput['key']): boolean => keep.some((x) => sameKey(x, k));
    const dropped = (armed?.keys ?? []).filter((k) => !kept(k));
    // A workflow task that did not complete may have recorded the rung these were armed for and armed the next
    // one; this history replaced its record, not its outbox: the next rung's e-mails go too (nothing when none).
    const following = dropped
      .map(nextRung)
      .filter((k): k is CaseMailInput['key'] => k !== undefined && !kept(k) && !dropped.some((d) => sameKey(d, k)));
    const disarm = [...dropped, ...following];
    armed = next
      ? { at: next.at, until: next.until, revision: s.revision, keys: next.mails.map((m) => m.key) }
      : undefined;
    if (!next && disarm.length === 0) return undefined;
    return { sendAt: next?.at ?? now, arm: next?.mails ?? [], disarm };
  };

  const carryOut = async (before: CaseState, t: Transition): Promise<void> => {
    if (t.effects.length === 0 && t.state === before) return;
    const now = Date.now();
    let seq = before.auditSeq;
    const audit: AuditAppend[] = [];
    for (const e of t.effects) {
      if (e.kind !== 'audit') continue;
      seq += 1;
      audit.push({
        seq,
        at: now,
        type: e.type,
        personId: e.personId,
        onBehalfOf: e.onBehalfOf,
        stepId: e.stepId,
        data: e.data,
      });
    }
    state = t.state;
    const mails = t.effects
      .filter((x): x is MailEffect => x.kind === 'mail')
      .map((e) => mailInput(ctx(), t.state, e, now))
      .filter((m) => m.to.length > 0);
    const mail = arming
      ? rearm(
          t.state,
          now,
          mails.map((m) => m.key)
        )
      : undefined;
    // What the previous write answered (the audit's tail, the runs as written) spares the next one its reads.
    written =
      (await persistCase({
        projection: projection(ctx(), t.state, input, now),
        audit,
        previous: written,
        ...(mail ? { mail } : {}),
      })) ?? undefined;
    for (const m of mails) {
      if (!mailBeside) {
        await sendCaseMail(m);
        continue;
      }
      // Retried until sent (only a message with no recipient fails for good): the failure, should one come,
      // fails the case when it ends, as it did when each e-mail was awaited.
      const sent: Promise<void> = sendCaseMail(m).then(
        () => {
          sending.delete(sent);
        },
        (e: unknown) => {
          mailFailure ??= e instanceof Error ? e : new Error(String(e));
          sending.delete(sent);
        }
      );
      sending.add(sent);
    }
  };

  /** Records a rung whose armed e-mail's instant has passed, before anything else changes the case. */
  const catchUp = async (now: number): Promise<void> => {
    if (!armed || armed.revision !== state.revision || armed.at > now) return;
    const timer = nextTimer(ctx(), state, now);
    if (timer?.kind === 'ladder' && timer.at === armed.at) await carryOut(state, applyTimer(ctx(), state, timer, now));
  };

  let startTransition: Transition | undefined;
  if (input.resume) {
    state = input.resume.state;
  } else {
    startTransition = startCase(
      ctx(),
      {
        caseId: input.caseId,
        title: input.title,
        caseUnitId: input.caseUnitId,
        subjectName: input.subjectName,
        campaignDeadline: input.campaignDeadline,
        startedBy: input.startedBy,
      },
      Date.now()
    );
    state = startTransition.state;
  }

  // The organisation slice is loaded and the start recorded first in the queue: an act delivered in the
  // very first activation (its handler runs as soon as it is registered below) waits behind them.
  const loaded = exclusive(async () => {
    if (!orgLoaded) {
      org = await loadOrgSlice({ caseUnitId: input.caseUnitId, onDate: vnDateOf(Date.now()) });
      orgLoaded = true;
    }
    if (startTransition) await carryOut({ auditSeq: 0 } as CaseState, startTransition);
  });

  setHandler(getCaseQuery, () => caseView(ctx(), state));
  // Behind the start's record in the queue (a case resumed by continue-as-new has it written already).
  setHandler(caseRecordedUpdate, () => exclusive(async () => null));
  setHandler(auditTailQuery, () => written?.audit ?? null);
  setHandler(orgChangedSignal, () => {
    orgDirty = true;
  });
  setHandler(
    actOnCaseUpdate,
    (req: ActRequest) =>
      exclusive(async () => {
        if (alreadyApplied(state, req.requestId)) return caseView(ctx(), state);
        const now = Date.now();
        // The armed e-mail of a rung due before this act has gone out: the case records the rung first.
        if (arming) await catchUp(now);
        let acting;
        try {
          // Checked again here: an act queued behind another may no longer be possible.
          acting = validateAct(ctx(), state, req, now);
        } catch (e) {
          rejection(e);
        }
        const before = state;
        await carryOut(before, applyAct(ctx(), before, req, acting, now));
        return caseView(ctx(), state);
      }),
    {
      validator: (req: ActRequest) => {
        if (alreadyApplied(state, req?.requestId) || !orgLoaded) return;
        try {
          validateAct(ctx(), state, req, Date.now());
        } catch (e) {
          rejection(e);
        }
      },
    }
  );

  await loaded;

  const closed = (): boolean => !['open', 'returned'].includes(state.status);
  const limit = input.historyEventLimit ?? DEFAULT_HISTORY_LIMIT;
  while (!closed()) {
    const revision = state.revision;
    const changed = (): boolean => state.revision !== revision || orgDirty || closed();
    const timer = nextTimer(ctx(), state, Date.now());
    if (!timer) {
      await condition(changed);
    } else {
      let at = timer.at;
      if (arming && timer.kind === 'ladder') {
        const now = Date.now();
        if (timer.at - now > ARM_LEAD_MS) {
          // Wakes when the rung comes within the lead, to arm its e-mails; then goes round again.
          await condition(changed, timer.at - ARM_LEAD_MS - now);
          at = 0;
        } else {
          if (timer.at > now && (armed?.revision !== state.revision || armed.at !== timer.at)) {
            await exclusive(async () => {
              if (state.revision !== revision) return;
              const mail = rearm(state, Date.now());
              if (mail) await armCaseMails(mail);
            });
          }
          // The armed e-mails go out at the instant; the case records the rung a little after.
          if (armed?.at === timer.at && armed.revision === state.revision) at = armed.until;
        }
      }
      const wait = at - Date.now();
      if (at > 0 && (wait <= 0 || !(await condition(changed, wait)))) {
        await exclusive(async () => {
          if (state.revision !== revision) return; // an act moved the step meanwhile: the timer is void
          const before = state;
          await carryOut(before, applyTimer(ctx(), before, timer, Date.now()));
        });
      }
    }
    if (orgDirty) {
      orgDirty = false;
      org = await loadOrgSlice({ caseUnitId: input.caseUnitId, onDate: vnDateOf(Date.now()) });
      // Armed e-mails name the recipients of the old tree: armed again on the next round.
      if (armed) armed = { ...armed, revision: -1 };
    }
    const info = workflowInfo();
    if (!closed() && (info.continueAsNewSuggested || info.historyLength > limit)) {
      await settled();
      // The next run starts afresh, on this code: at its level whatever level this one ran at.
      await continueAsNew<typeof chainWorkflow>({ ...input, codeLevel: CHAIN_CODE_LEVEL, resume: { state, org } });
    }
  }
  await settled();
  return caseView(ctx(), state);
}
