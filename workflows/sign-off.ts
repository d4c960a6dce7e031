import { ApplicationFailure, condition, proxyActivities, setHandler, allHandlersFinished } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  getSignOffStateQuery,
  signStepUpdate,
  type RejectionDetails,
  type SignOffInput,
  type SignOffState,
  type SignStepInput,
} from './messages';

const { recordDecision, sendEscalation } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  // A lost mail server or database is waited out: the outbox makes every retry safe.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

function reject(code: RejectionDetails['code'], messageVi: string): never {
  throw ApplicationFailure.create({
    message: messageVi,
    type: code,
    nonRetryable: true,
    details: [{ code, messageVi }],
  });
}

/**
 * A one-step sign-off (ký duyệt): one of the named signers approves or refuses the step before its due
 * instant. Waits for the signature; when the due instant passes unsigned, Thường trực Tỉnh ủy is told
 * once by e-mail, and the step keeps waiting. Ends when the step is decided.
 */
export async function signOffWorkflow(input: SignOffInput): Promise<SignOffState> {
  const state: SignOffState = {
    caseId: input.caseId,
    stepId: input.stepId,
    status: 'open',
    dueAt: input.dueAt,
    escalated: false,
  };

  // Set as soon as an accepted signature starts, so a second one cannot slip in while the first one's
  // activity is running. (Validators must not change state: they are not run again on replay.)
  let pending = false;

  setHandler(getSignOffStateQuery, () => state);
  setHandler(
    signStepUpdate,
    async (u: SignStepInput) => {
      pending = true;
      const decidedAt = Date.now();
      await recordDecision({
        caseId: input.caseId,
        stepId: input.stepId,
        personId: u.personId,
        decision: u.decision,
        reason: u.reason,
        decidedAt,
      });
      state.status = u.decision === 'approve' ? 'approved' : 'refused';
      state.decidedBy = u.personId;
      state.decidedAt = decidedAt;
      state.reason = u.reason;
      return state;
    },
    {
      // The validator runs before anything is written to history: a refused update leaves no trace.
      validator: (u: SignStepInput) => {
        if (typeof u !== 'object' || u === null || typeof u.personId !== 'string' || u.personId === '') {
          reject('INVALID_INPUT', 'Thiếu người ký.');
        }
        if (u.decision !== 'approve' && u.decision !== 'refuse') {
          reject('INVALID_INPUT', 'Quyết định phải là "đồng ý" hoặc "từ chối".');
        }
        if (u.decision === 'refuse' && (typeof u.reason !== 'string' || u.reason.trim() === '')) {
          reject('INVALID_INPUT', 'Từ chối phải nêu lý do.');
        }
        if (state.status !== 'open' || pending) reject('STEP_NOT_OPEN', 'Bước này đã được xử lý, không thể ký lại.');
        if (!input.signerIds.includes(u.personId)) {
          reject('NOT_AUTHORISED', `Người dùng ${u.personId} không có thẩm quyền ký bước "${input.stepTitle}".`);
        }
      },
    }
  );

  const decided = (): boolean => state.status !== 'open';
  const timeLeft = input.dueAt - Date.now();
  if (!(await condition(decided, Math.max(timeLeft, 1)))) {
    await sendEscalation({
      caseId: input.caseId,
      caseTitle: input.title,
      stepId: input.stepId,
      stepTitle: input.stepTitle,
      round: 1,
      to: input.escalationEmails,
      actors: input.signerEmails,
      dueAt: input.dueAt,
    });
    state.escalated = true;
    await condition(decided);
  }
  await condition(allHandlersFinished);
  return state;
}
