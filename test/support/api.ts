/**
 * The API on the run's real servers for a test: the server built as in production (in-process, answered
 * with fastify.inject), an in-process worker on the test's own task queue, the realistic organisation
 * fixture, and a user per role of the fixture, each with an API token.
 */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type mongoose from 'mongoose';
import { createModels, ensureIndexes, type Models } from '../../activities/store/models';
import { saveOrg } from '../../activities/store/org-store';
import { buildServer } from '../../client/api/server';
import { createApiToken, createUser, toActor, type ServiceDeps } from '../../client/services';
import { connectClient, type ClientConnection } from '../../client/temporal';
import type { OrgSnapshot } from '../../domain/org';
import { createDefaultRegistry, type ProcessRegistry } from '../../domain/processes';
import type { Config } from '../../worker/config';
import type { RunningWorker } from '../../worker/worker';
import { buildOrg, ORG_FROM, PERSON } from '../unit/fixtures/org';
import { mongo, startInProcessWorker, testConfig, uniqueId, withOwnDatabase } from './env';

export const PASSWORD = 'mat-khau-thu-nghiem-1';

/** The roles of the matrix: username → person of the fixture (admin and inspector are people with no role). */
export const ROLE_USERS = {
  cellSecretary: PERSON.cellSecretary,
  grassrootsSecretary: PERSON.grassrootsSecretary,
  communeStanding: PERSON.communeSecretary,
  orgBoardSpecialist: PERSON.communeOrgSpecialist,
  provincialStanding: PERSON.provinceDeputy1,
  admin: 'qt-admin',
  inspector: 'ubkt-kiemtra',
  outsider: PERSON.outsider,
} as const;
export type RoleName = keyof typeof ROLE_USERS;

export function apiOrg(): OrgSnapshot {
  const org = buildOrg();
  return {
    ...org,
    people: [
      ...org.people,
      { id: ROLE_USERS.admin, name: 'Quản trị Hệ thống', email: 'quantri@tinhuy.example.vn' },
      { id: ROLE_USERS.inspector, name: 'Kiểm tra Viên', email: 'ubkt@tinhuy.example.vn' },
    ],
  };
}

export interface ApiHarness {
  app: FastifyInstance;
  config: Config;
  models: Models;
  db: mongoose.Connection;
  temporal: ClientConnection;
  worker: RunningWorker;
  deps: ServiceDeps;
  org: OrgSnapshot;
  /** Usernames are prefixed per test file: the database is shared by the run. */
  usernames: Record<RoleName, string>;
  tokens: Record<RoleName, string>;
  close(): Promise<void>;
}

export interface StartApiOptions {
  /**
   * A MongoDB database of the test's own (dropped at close) instead of the run's shared one: for a test that
   * reads across every case or adds to the organisation tree.
   */
  ownDatabase?: boolean;
}

export async function startApi(
  name: string,
  registry: ProcessRegistry = createDefaultRegistry(),
  o: StartApiOptions = {}
): Promise<ApiHarness> {
  const base = testConfig(uniqueId(name));
  const config = o.ownDatabase ? withOwnDatabase(base, name) : base;
  const temporal = await connectClient(config.temporal.address, config.temporal.namespace);
  const db = await mongo(config);
  const models = createModels(db);
  await ensureIndexes(models);
  const org = apiOrg();
  // Test files start side by side on one database: two upserts of the same person at once can lose the race
  // with a duplicate key; the retry then replaces what the other wrote (the same data).
  for (let attempt = 1; ; attempt++) {
    try {
      await saveOrg(models, org);
      break;
    } catch (e) {
      if (attempt >= 5 || (e as { code?: unknown }).code !== 11000) throw e;
    }
  }
  const worker = await startInProcessWorker(config);
  const app = await buildServer({
    config: { ...config, logLevel: 'silent' },
    mongo: db,
    temporal,
    models,
    registry,
  });
  const deps: ServiceDeps = { models, temporal: temporal.client, registry, config, now: Date.now };
  const prefix = uniqueId(name)
    .replace(/[^a-z0-9]/gi, '')
    .slice(-10)
    .toLowerCase();
  const usernames = {} as Record<RoleName, string>;
  const tokens = {} as Record<RoleName, string>;
  for (const [role, personId] of Object.entries(ROLE_USERS) as [RoleName, string][]) {
    const user = await createUser(deps, null, {
      username: `${prefix}.${role}`,
      password: PASSWORD,
      personId,
      isAdmin: role === 'admin',
      isInspector: role === 'inspector',
    });
    usernames[role] = user.username;
    tokens[role] = (
      await createApiToken(deps, toActor({ ...user, username: user.username }), `thử nghiệm ${role}`)
    ).token;
  }
  return {
    app,
    config,
    models,
    db,
    temporal,
    worker,
    deps,
    org,
    usernames,
    tokens,
    async close() {
      await app.close();
      await worker.shutdown();
      await temporal.close();
      if (o.ownDatabase) await db.dropDatabase().catch(() => undefined);
      await db.close();
    },
  };
}

export { ORG_FROM };

/** A request as a role (bearer token), answered by the real server in-process. */
export function as(
  h: ApiHarness,
  role: RoleName | null,
  method: InjectOptions['method'],
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {}
): Promise<LightMyRequestResponse> {
  return h.app.inject({
    method,
    url,
    headers: { ...(role ? { authorization: `Bearer ${h.tokens[role]}` } : {}), ...headers },
    ...(payload !== undefined ? { payload: payload as InjectOptions['payload'] } : {}),
  });
}

/** Signs a role's user in through the API: the session cookie and the CSRF token its state changes need. */
export async function signIn(h: ApiHarness, role: RoleName): Promise<{ cookie: string; csrfToken: string }> {
  const r = await h.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username: h.usernames[role], password: PASSWORD },
  });
  if (r.statusCode !== 200) throw new Error(`signing ${role} in answered ${r.statusCode}: ${r.body}`);
  return {
    cookie: String(r.headers['set-cookie']).split(';')[0] as string,
    csrfToken: (JSON.parse(r.body) as { csrfToken: string }).csrfToken,
  };
}
