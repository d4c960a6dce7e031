/**
 * cadreflow's custom search attributes, registered on the dev server at start (and by the operator on a
 * production cluster). They serve operators in the Temporal Web UI; the application's own lists read
 * MongoDB, because visibility is only eventually consistent.
 */
export const SEARCH_ATTRIBUTES = {
  CadreflowProcess: 'Keyword',
  CadreflowCaseId: 'Keyword',
  CadreflowCommittee: 'Keyword',
  CadreflowStep: 'Keyword',
} as const;
