/** Party-development quotas and cell-meeting supervision (DOMAIN.md §2, §6): pure rules, no clock. */
export * from './model';
export * from './allocation';
export * from './attainment';
export * from './checkpoint';
export * from './meetings';
export * from './import';
