/**
 * `npm start` loads the demo province into an empty database: the tree, and cases in every state, with
 * the overdue and escalated ones reaching the mailbox within the first minute. Runs on its own database
 * so that the organisations of other tests do not count as "already loaded".
 */
import type mongoose from 'mongoose';
import { createModels, type Models } from '../../activities/store/models';
import { createDefaultRegistry } from '../../domain/processes';
import { seedDemo } from '../../tools/demo/seed';
import type { RunningWorker } from '../../worker/worker';
import {
  eventually,
  mailbox,
  mongo,
  startInProcessWorker,
  temporalClient,
  testConfig,
  uniqueId,
  withOwnDatabase,
} from '../support/env';

const config = withOwnDatabase(testConfig(uniqueId('demo')), 'demo');
/** The web test seeds the demo province on the same Temporal server: its case IDs must differ. */
const PREFIX = 'dt-';
let db: mongoose.Connection;
let models: Models;
let worker: RunningWorker;
let temporal: Awaited<ReturnType<typeof temporalClient>>;

beforeAll(async () => {
  db = await mongo(config);
  models = createModels(db);
  worker = await startInProcessWorker(config);
  temporal = await temporalClient(config);
});

afterAll(async () => {
  await worker?.shutdown();
  await temporal?.close();
  await db?.dropDatabase().catch(() => undefined);
  await db?.close();
});

test('the demo province loads once, with cases in every state, escalations within the first minute', async () => {
  const deps = {
    models,
    client: temporal.client,
    registry: createDefaultRegistry(),
    taskQueue: config.temporal.taskQueue,
    idPrefix: PREFIX,
  };
  const first = await seedDemo(deps);
  expect(first.loaded).toBe(true);
  expect(first.cases).toBeGreaterThanOrEqual(14);
  expect(await models.OrgBody.countDocuments({ kind: 'committee' })).toBe(20);
  // A year of quotas: 2,000 admissions over the twenty committees.
  expect(await models.QuotaPlan.countDocuments({})).toBe(1);
  expect(await seedDemo(deps)).toEqual({ loaded: false, cases: 0 });

  await eventually(
    'every state',
    async () => {
      const statuses = new Set((await models.Case.find({}).lean()).map((c) => c.status));
      return ['completed', 'open', 'returned', 'refused'].every((s) => statuses.has(s as never)) && statuses;
    },
    60_000
  );
  const escalated = await eventually(
    'the escalated demo case',
    async () => (await models.Case.findById(`${PREFIX}demo-qh-canh-bao`).lean())?.escalationLevel === 'escalation',
    60_000
  );
  expect(escalated).toBe(true);
  // The projection is written before the e-mail goes out: wait for the e-mail itself.
  await eventually('the escalation e-mail to Thường trực Tỉnh ủy', async () =>
    (await mailbox(`${PREFIX}demo-qh-canh-bao`)).some((m) => m.to.includes('thuongtruc@tinhuy.songlam.example.vn'))
  );
  expect(await mailbox(`${PREFIX}demo-cd-vuong-mac`)).toHaveLength(1);
}, 300_000);
