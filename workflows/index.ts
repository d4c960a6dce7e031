/**
 * The worker's workflowsPath: this module exports workflow functions and nothing else.
 */
export { signOffWorkflow } from './sign-off';
