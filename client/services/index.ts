/** The service layer shared by the JSON API, the CLI (through the API) and the web pages. */
export * from './context';
export * from './auth';
export * from './cases';
export * from './org';
export * from './processes';
export * from './calendar';
export * from './quotas';
export * from './audit';
export * from './unavailable';
export * from './visibility';
