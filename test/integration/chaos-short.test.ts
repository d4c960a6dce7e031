/**
 * The short form of `npm run chaos`, on servers this test owns (never the suite's shared ones): 8 admission
 * cases driven to the end while the worker is SIGKILLed four times (once while the database is down), the
 * Temporal dev server is killed and restarted on its SQLite file, the MongoDB-protocol server is down for a
 * few seconds and the SMTP server for a few seconds. Nothing may be lost, sent twice or recorded twice; while
 * the database is down — and when the API process starts before it — the API answers the case routes with 503
 * and Retry-After, never 500, and serves again once the database is back. Asserts outcomes only; the timings
 * belong to the benchmark.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../tools/stack/binaries';
import { runChaos, type ChaosReport } from '../chaos/scenario';

let report: ChaosReport;

beforeAll(async () => {
  report = await runChaos({
    cases: 8,
    concurrency: 8,
    faults: ['killWorker', 'restartTemporal', 'killWorker', 'stopMongoKillWorker', 'killWorker', 'stopSmtp'],
    gapMs: 2000,
    mongoDownMs: 4000,
    smtpDownMs: 4000,
    workflowBundle: process.env.WORKFLOW_BUNDLE || undefined,
    log: () => undefined,
    // Within the hook's timeout, so that a run that hangs still stops what it started.
    deadlineMs: 540_000,
  });
  // Kept for whoever reads the figures (statuses while the database was down, time to serve again).
  const dir = join(REPO_ROOT, 'test-artifacts', 'chaos');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'short.json'), `${JSON.stringify(report, null, 2)}\n`);
}, 600_000);

test('every fault was injected while the cases ran', () => {
  expect(report.faults.map((f) => f.fault)).toEqual([
    'killWorker',
    'restartTemporal',
    'killWorker',
    'stopMongoKillWorker',
    'killWorker',
    'stopSmtp',
  ]);
  expect(report.workerRestarts).toBeGreaterThanOrEqual(4);
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
  // A worker killed after the message's last byte and before it read the SMTP server's answer repeats that one
  // message with the same Message-ID (activities/mail/outbox.ts), which the receiving side discards; a repeat
  // anywhere else is a fault.
  expect(report.mail.duplicatesIdentical).toBe(true);
  expect(report.mail.duplicateDeliveries).toBe(report.mail.duplicatesAtKill);
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

describe.each([
  ['while the MongoDB-protocol server was down', () => report.apiWhileMongoDown],
  ['when the API process started before the MongoDB-protocol server', () => report.apiStartedBeforeMongo],
])('%s', (_when, outage) => {
  test('the case routes answered 503 with Retry-After, never 500; only a route without the database succeeded', () => {
    const r = outage();
    const probes = new Set(r.answers.map((a) => a.probe));
    for (const p of ['list cases', 'case page data', 'inbox', 'act on a case', 'start a case', 'health (no database)'])
      expect(probes).toContain(p);
    expect(r.answers500).toBe(0);
    expect(r.unexpected).toEqual([]);
    for (const a of r.answers) {
      if (a.needsDatabase) expect({ probe: a.probe, status: a.status }).toEqual({ probe: a.probe, status: 503 });
      else expect({ probe: a.probe, status: a.status }).toEqual({ probe: a.probe, status: 200 });
    }
  });

  test('the API served again once the database was back, without a restart', () => {
    expect(outage().recoveredAfterMs).toEqual(expect.any(Number));
  });
});

test('the web pages of the inbox and of a case, and the sign-in form, answered 503 during the outage, not 500', () => {
  const web = report.apiWhileMongoDown.answers.filter((a) => a.probe.startsWith('web: '));
  expect(web.map((a) => a.probe)).toEqual(
    expect.arrayContaining(['web: inbox page', 'web: case page', 'web: sign-in form'])
  );
  for (const a of web)
    expect({ probe: a.probe, status: a.status, retryAfter: a.retryAfter }).toEqual({
      probe: a.probe,
      status: 503,
      retryAfter: expect.stringMatching(/^\d+$/),
    });
});
