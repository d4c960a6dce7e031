/**
 * The processes' entry workflows: thin shells over the one chain engine. Each checks that it was given a
 * definition of its own process; admission hands over to recognition (the probation year) as a child that
 * outlives it; a campaign starts one case per committee as children.
 */
import {
  ApplicationFailure,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  executeChild,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { chainWorkflow } from './chain';
import {
  CHAIN_CODE_LEVEL,
  caseWorkflowId,
  campaignCaseId,
  prefixOf,
  recognitionCaseId,
  type CampaignInput,
  type CampaignResult,
  type CaseView,
  type ChainInput,
  type WorkflowPrefix,
} from './messages';

function requireProcess(input: ChainInput, prefix: WorkflowPrefix): void {
  if (prefixOf(input.definition.key) !== prefix) {
    throw ApplicationFailure.nonRetryable(
      `a ${prefix} workflow was started with the ${input.definition.key} definition`,
      'DEFINITION_INVALID'
    );
  }
}

/**
 * Admitting a party member (kết nạp đảng viên, C1–C12): from the sympathiser list to the admission
 * ceremony. When the ceremony is held, the probation and official recognition start as their own case.
 */
export async function admissionWorkflow(input: ChainInput): Promise<CaseView> {
  requireProcess(input, 'admission');
  const result = await chainWorkflow(input);
  if (result.status === 'completed' && input.recognitionDefinition) {
    // The probation and recognition are a case of their own, with their own record and audit trail.
    const recognition: ChainInput = {
      caseId: recognitionCaseId(input.caseId),
      title: input.title.replace(/^Kết nạp đảng viên/, 'Công nhận đảng viên chính thức'),
      caseUnitId: input.caseUnitId,
      subjectName: input.subjectName,
      definition: input.recognitionDefinition,
      schedules: input.schedules,
      startedBy: input.startedBy,
      historyEventLimit: input.historyEventLimit,
      codeLevel: CHAIN_CODE_LEVEL,
    };
    // The probation year outlives this workflow: abandon, do not terminate, when this one closes.
    await startChild(recognitionWorkflow, {
      workflowId: caseWorkflowId('recognition', recognitionCaseId(input.caseId)),
      args: [recognition],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  }
  return result;
}

/** Probation (12 months from the ceremony) and official recognition (công nhận đảng viên chính thức, C13–C17). */
export async function recognitionWorkflow(input: ChainInput): Promise<CaseView> {
  requireProcess(input, 'recognition');
  return chainWorkflow(input);
}

/** Approving a committee's cadre planning (phê duyệt quy hoạch cán bộ, Quy định 377-QĐ/TW). */
export async function planningWorkflow(input: ChainInput): Promise<CaseView> {
  requireProcess(input, 'planning');
  return chainWorkflow(input);
}

/** Consolidating committee personnel (kiện toàn nhân sự cấp ủy): designation or by-election with ratification. */
export async function personnelWorkflow(input: ChainInput): Promise<CaseView> {
  requireProcess(input, 'personnel');
  return chainWorkflow(input);
}

/** A chain a province configured for its own tasks. */
export async function genericChainWorkflow(input: ChainInput): Promise<CaseView> {
  requireProcess(input, 'generic');
  return chainWorkflow(input);
}

const ENTRY = {
  admission: admissionWorkflow,
  recognition: recognitionWorkflow,
  planning: planningWorkflow,
  personnel: personnelWorkflow,
  generic: genericChainWorkflow,
} as const;

/**
 * A campaign (e.g. the yearly planning review for every committee under the province, due 31/12): one
 * case per unit as a child workflow with a stable ID, every step's deadline capped by the campaign's.
 * Ends when every case has ended.
 */
export async function campaignWorkflow(input: CampaignInput): Promise<CampaignResult> {
  const prefix = prefixOf(input.definition.key);
  if (prefix === 'campaign')
    throw ApplicationFailure.nonRetryable('a campaign cannot contain campaigns', 'DEFINITION_INVALID');
  const entry = ENTRY[prefix];
  const { workflowId } = workflowInfo();
  const results = await Promise.all(
    input.units.map(async (unit) => {
      const caseId = campaignCaseId(input.campaignId, unit.caseUnitId);
      const view = await executeChild(entry, {
        workflowId: caseWorkflowId(input.definition.key, caseId),
        args: [
          {
            caseId,
            title: unit.title,
            caseUnitId: unit.caseUnitId,
            definition: input.definition,
            schedules: input.schedules,
            startedBy: input.startedBy,
            campaignId: input.campaignId,
            campaignDeadline: input.deadline,
            codeLevel: CHAIN_CODE_LEVEL,
          },
        ],
        memo: { campaign: workflowId },
      });
      return { caseId, status: view.status };
    })
  );
  return { campaignId: input.campaignId, cases: results };
}
