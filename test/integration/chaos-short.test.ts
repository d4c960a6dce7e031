/**
 * The short form of `npm run chaos`, on servers this test owns (never the suite's shared ones): 8 admission
 * cases driven to the end while the worker is SIGKILLed three times, the Temporal dev server is killed and
 * restarted on its SQLite file, the MongoDB-protocol server is down for a few seconds and the SMTP server
 * for a few seconds. Nothing may be lost, sent twice or recorded twice. Asserts outcomes only; the timings
 * belong to the benchmark.
 */
import { runChaos, type ChaosReport } from '../chaos/scenario';

let report: ChaosReport;

beforeAll(async () => {
  report = await runChaos({
    cases: 8,
    concurrency: 8,
    faults: ['killWorker', 'restartTemporal', 'killWorker', 'stopMongo', 'killWorker', 'stopSmtp'],
    gapMs: 2000,
    mongoDownMs: 4000,
    smtpDownMs: 4000,
    workflowBundle: process.env.WORKFLOW_BUNDLE || undefined,
    log: () => undefined,
  });
}, 600_000);

test('every fault was injected while the cases ran', () => {
  expect(report.faults.map((f) => f.fault)).toEqual([
    'killWorker',
    'restartTemporal',
    'killWorker',
    'stopMongo',
    'killWorker',
    'stopSmtp',
  ]);
  expect(report.workerRestarts).toBeGreaterThanOrEqual(3);
});

test('no case is lost and every case finished', () => {
  expect(report.lostCases).toEqual([]);
  expect(report.unfinishedCases).toEqual([]);
});

test('every e-mail left the outbox once per key and reached the SMTP server; any repeat is the same message', () => {
  expect(report.mail.outboxMessages).toBeGreaterThan(0);
  expect(report.mail.outboxNotSent).toBe(0);
  expect(report.mail.outboxKeyMismatches).toBe(0);
  expect(report.mail.outboxNeverDelivered).toBe(0);
  expect(report.mail.distinctMessageIds).toBe(report.mail.outboxMessages);
  // A worker killed between the SMTP server's acceptance and the outbox's "sent" repeats that one message
  // with the same Message-ID (activities/mail/outbox.ts); the receiving side discards it as a duplicate.
  expect(report.mail.duplicatesIdentical).toBe(true);
});

test('no audit entry is missing, duplicated or altered, and every trail is as long as its case says', () => {
  expect(report.audit).toEqual({ ok: true, problems: 0, countMismatches: [] });
});

test('while the MongoDB-protocol server was down, /ready answered 503 with Retry-After, never 500', () => {
  expect(report.readyWhileMongoDown.length).toBeGreaterThan(0);
  for (const r of report.readyWhileMongoDown) {
    expect(r.status).toBe(503);
    expect(r.retryAfter).toMatch(/^\d+$/);
  }
});
