/**
 * The worker's workflowsPath: this module exports workflow functions and nothing else.
 */
export { signOffWorkflow } from './sign-off';
export { chainWorkflow } from './chain';
export {
  admissionWorkflow,
  recognitionWorkflow,
  planningWorkflow,
  personnelWorkflow,
  genericChainWorkflow,
  campaignWorkflow,
} from './entries';
export { quotaWorkflow } from './quota';
