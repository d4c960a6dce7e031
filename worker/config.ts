/**
 * Configuration, parsed once from the environment, validated, typed, and failing fast with one line per
 * problem. The worker, the API and the dev-stack launcher all read it through `loadConfig`; nothing else
 * reads process.env. No secret (SMTP password, session secret) is ever logged: use `describeConfig`.
 */
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * Every variable cadreflow understands, with its default and its meaning. The README's configuration
 * table and the compose-file check in the tests are both derived from this one list.
 */
export const CONFIG_VARIABLES = {
  CADREFLOW_ENV: {
    schema: z.enum(['development', 'test', 'production']),
    default: 'development',
    doc: 'development, test or production; the dev mailbox is served only outside production',
  },
  TEMPORAL_ADDRESS: { schema: z.string().min(1), default: '127.0.0.1:7233', doc: 'host:port of the Temporal frontend' },
  TEMPORAL_NAMESPACE: { schema: z.string().min(1), default: 'default', doc: 'Temporal namespace' },
  TEMPORAL_TASK_QUEUE: { schema: z.string().min(1), default: 'cadreflow', doc: 'task queue of the cadreflow worker' },
  TEMPORAL_CACHED_WORKFLOWS: {
    schema: z.coerce.number().int().min(2).max(100_000),
    default: '1000',
    doc: 'how many cases the worker keeps in memory between their steps (the others are replayed from their history when they next wake); bounds its memory',
  },
  TEMPORAL_WORKFLOW_STACK_TRACES: {
    schema: bool,
    default: 'false',
    doc: "true captures a stack trace of every promise a case's workflow creates, for Temporal's stack-trace query (the Web UI's Stack Trace tab); false (tools/sdk-patches.json) answers that query with an error and about halves the CPU of the cases' workflow code",
  },
  MONGODB_URL: {
    schema: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb://'),
    default: 'mongodb://127.0.0.1:27017/cadreflow',
    doc: 'MongoDB URL (FerretDB in dev and tests, a MongoDB replica set in production), database name included',
  },
  SMTP_HOST: { schema: z.string().min(1), default: '127.0.0.1', doc: 'SMTP server host' },
  SMTP_PORT: { schema: port, default: '2525', doc: 'SMTP server port' },
  SMTP_SECURE: {
    schema: bool,
    default: 'false',
    doc: 'true for implicit TLS (port 465); false uses STARTTLS when offered',
  },
  SMTP_POOL: {
    schema: z.coerce.number().int().min(1).max(50),
    default: '16',
    doc: "SMTP connections the worker's mail dispatcher keeps open and uses at once (the e-mails it sends at once), and as many again for the cases' own e-mails; keep twice it within the mail server's limit of connections per client",
  },
  SMTP_USER: { schema: z.string(), default: '', doc: 'SMTP user name (empty: no authentication)' },
  SMTP_PASSWORD: { schema: z.string(), default: '', doc: 'SMTP password (secret, never logged)', secret: true },
  MAIL_FROM: {
    schema: z.string().min(3),
    default: 'cadreflow <cadreflow@tinhuy.local>',
    doc: 'From header of every e-mail',
  },
  PUBLIC_URL: {
    schema: z.string().url(),
    default: 'http://127.0.0.1:8080',
    doc: 'base address of the web UI, used for the links in e-mails',
  },
  API_HOST: { schema: z.string().min(1), default: '127.0.0.1', doc: 'address the API and web UI listen on' },
  API_PORT: { schema: port, default: '8080', doc: 'port the API and web UI listen on' },
  SESSION_SECRET: {
    schema: z.string().min(16),
    default: 'dev-only-session-secret-change-me',
    doc: 'secret for session cookies (at least 16 characters; set it in production)',
    secret: true,
  },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    doc: 'log level (pino)',
  },
  DEV_MAILBOX_URL: {
    schema: z.union([z.literal(''), z.string().url()]),
    default: '',
    doc: 'dev and tests only: address of the SMTP catcher whose messages the dev mailbox page shows (empty: no mailbox)',
  },
  WORKFLOW_BUNDLE: {
    schema: z.string(),
    default: '',
    doc: 'dev and tests only: a prebuilt workflow bundle for the worker (the tests build one per run); empty bundles workflows/ at start',
  },
  MAIL_ACCEPTED_DIR: {
    schema: z.string().min(1),
    default: './data/mail-accepted',
    doc: "where the worker records, on its machine's disk, each e-mail the SMTP server accepted until the database holds it as sent; a worker started again on the same machine marks those e-mails sent before it takes any work, so that none goes out twice (keep it on a disk that outlives the worker's process or container)",
  },
  DATA_DIR: {
    schema: z.string().min(1),
    default: './data',
    doc: 'dev stack only: where the Temporal SQLite file, the FerretDB files and the caught .eml files live',
  },
} as const satisfies Record<string, { schema: z.ZodType; default: string; doc: string; secret?: boolean }>;

export type ConfigVariable = keyof typeof CONFIG_VARIABLES;

export interface Config {
  env: 'development' | 'test' | 'production';
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    cachedWorkflows: number;
    /** Whether the workflow thread keeps the stack of every promise (the SDK's default; tools/sdk-patches.json). */
    workflowStackTraces: boolean;
  };
  mongodbUrl: string;
  smtp: {
    host: string;
    port: number;
    secure: boolean;
    poolSize: number;
    user: string;
    password: string;
    from: string;
  };
  publicUrl: string;
  api: { host: string; port: number; sessionSecret: string };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  dataDir: string;
  /** Where the worker records the e-mails the SMTP server accepted (activities/mail/accepted-log.ts). */
  mailAcceptedDir: string;
  devMailboxUrl: string;
  workflowBundle: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the configuration. Throws ConfigError listing every problem at once. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(CONFIG_VARIABLES)) {
    // An empty variable means "not set": `LOG_LEVEL=` falls back to the default rather than failing.
    const given = env[name];
    const raw = given === undefined || given === '' ? spec.default : given;
    const parsed = spec.schema.safeParse(raw);
    if (parsed.success) values[name] = parsed.data;
    else problems.push(`${name}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const v = values as { [K in ConfigVariable]: z.infer<(typeof CONFIG_VARIABLES)[K]['schema']> };
  if (v.CADREFLOW_ENV === 'production' && v.SESSION_SECRET === CONFIG_VARIABLES.SESSION_SECRET.default) {
    throw new ConfigError(['SESSION_SECRET: must be set in production']);
  }
  return {
    env: v.CADREFLOW_ENV,
    temporal: {
      address: v.TEMPORAL_ADDRESS,
      namespace: v.TEMPORAL_NAMESPACE,
      taskQueue: v.TEMPORAL_TASK_QUEUE,
      cachedWorkflows: v.TEMPORAL_CACHED_WORKFLOWS,
      workflowStackTraces: v.TEMPORAL_WORKFLOW_STACK_TRACES,
    },
    mongodbUrl: v.MONGODB_URL,
    smtp: {
      host: v.SMTP_HOST,
      port: v.SMTP_PORT,
      secure: v.SMTP_SECURE,
      poolSize: v.SMTP_POOL,
      user: v.SMTP_USER,
      password: v.SMTP_PASSWORD,
      from: v.MAIL_FROM,
    },
    publicUrl: v.PUBLIC_URL.replace(/\/+$/, ''),
    api: { host: v.API_HOST, port: v.API_PORT, sessionSecret: v.SESSION_SECRET },
    logLevel: v.LOG_LEVEL,
    dataDir: v.DATA_DIR,
    mailAcceptedDir: v.MAIL_ACCEPTED_DIR,
    devMailboxUrl: v.DEV_MAILBOX_URL,
    workflowBundle: v.WORKFLOW_BUNDLE,
  };
}

/** The configuration as it may be logged: secrets masked, credentials removed from URLs. */
export function describeConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    mongodbUrl: config.mongodbUrl.replace(/\/\/[^@/]*@/, '//***@'),
    smtp: { ...config.smtp, password: config.smtp.password ? '***' : '' },
    api: { ...config.api, sessionSecret: '***' },
  };
}
