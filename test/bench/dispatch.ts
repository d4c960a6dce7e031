/**
 * `npm run bench:dispatch`: the mail dispatcher's round on its own — M escalation e-mails armed in the outbox for
 * one instant, sent by the real MailDispatcher (activities/mail/dispatcher.ts) through the pooled SMTP transport
 * to the SMTP catcher — against its baseline in the same run: the same M messages sent straight over the same
 * transport with no database. FerretDB (PostgreSQL, or SQLite) and the catcher each run in a process of their
 * own; the dispatcher runs in this one, as it runs in the worker. Prints the lateness of the arrivals after the
 * instant, the e-mails per second of both and their ratio, and when every message was marked sent; writes
 * test-artifacts/bench/dispatch.json. Exits 1 when an e-mail is missing or came twice.
 *
 *   npm run bench:dispatch -- --m 10000 --handler postgresql [--pool 16] [--compose-at-send] [--no-accepted-log]
 *     [--cpu-prof <dir>]   a V8 CPU profile of the catcher's process (this one's: run it with node --cpu-prof)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { AcceptedLog, newProcessTag } from '../../activities/mail/accepted-log';
import { MailDispatcher, PREPARE_LEAD_MS, type DispatchReport } from '../../activities/mail/dispatcher';
import { armMessage, messageIdFor, type OutboxKey } from '../../activities/mail/outbox';
import { caseMail } from '../../activities/mail/templates';
import { createSmtpTransport } from '../../activities/mail/transport';
import { createModels, ensureIndexes } from '../../activities/store/models';
import { ensureFerretDb, REPO_ROOT } from '../../tools/stack/binaries';
import type { MailSummary } from '../../tools/stack/mail-catcher';
import { freePort, startFerretDb, startMailCatcherProcess } from '../../tools/stack/servers';
import { createPgDatabase, dropPgDatabase, urlOfPgDatabase } from '../support/stack';
import { cpuProfile, distribution, findProcesses, machineInfo, profileArgs, round } from './lib';

const args = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? def) : def;
};

async function main(): Promise<void> {
  const m = Number(arg('--m', '3000'));
  const handler = arg('--handler', 'postgresql');
  const poolSize = Number(arg('--pool', '16')); // the worker's SMTP_POOL by default
  const composeAtSend = args.includes('--compose-at-send');
  const noAcceptedLog = args.includes('--no-accepted-log');
  if (!Number.isInteger(m) || m < 1) throw new Error('--m takes a whole number of e-mails');
  if (handler !== 'postgresql' && handler !== 'sqlite') throw new Error(`unknown handler ${handler}`);
  const log = (l: string): void => void process.stdout.write(`${l}\n`);

  const dir = mkdtempSync(join(tmpdir(), 'cadreflow-dispatch-'));
  const pg = handler === 'postgresql' ? await createPgDatabase() : undefined;
  if (handler === 'postgresql' && !pg) throw new Error('PostgreSQL did not answer');
  const [mongoPort, smtpPort, httpPort] = [await freePort(), await freePort(), await freePort()];
  const ferret = await startFerretDb({
    bin: await ensureFerretDb(log),
    port: mongoPort,
    handler,
    ...(pg ? { postgresqlUrl: urlOfPgDatabase(pg) } : {}),
    sqliteDir: join(dir, 'ferretdb'),
  });
  const catcher = await startMailCatcherProcess({ smtpPort, httpPort, nodeArgs: profileArgs(arg('--cpu-prof', '')) });
  // Where each phase's CPU goes, in milliseconds per e-mail: the catcher, the database, and this process (the
  // dispatcher, or the bare sends, and the polling of the catcher).
  const cpuGroups = {
    catcher: () => [catcher.pid],
    ferretdb: () => [ferret.pid],
    postgresql: () => (pg ? findProcesses((c) => /^(postgres|\/usr\/lib\/postgresql\/)/.test(c)) : []),
    sender: () => [process.pid],
  };
  const perMail = (cpu: Record<string, number>): Record<string, number> =>
    Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round((v * 1000) / m, 3)]));
  const db = await mongoose.createConnection(`mongodb://127.0.0.1:${mongoPort}/dispatch`).asPromise();
  const transport = createSmtpTransport({
    host: '127.0.0.1',
    port: smtpPort,
    secure: false,
    from: 'tinhuy@cadreflow.local',
    user: '',
    password: '',
    poolSize,
  });
  try {
    const models = createModels(db);
    await ensureIndexes(models);
    const content = (caseId: string) =>
      caseMail('escalation', {
        to: ['thuongtruc@tinhuy.example.vn'],
        caseId,
        caseTitle: `Kết nạp quần chúng Nguyễn Thị Lan (${caseId})`,
        processTitle: 'Kết nạp đảng viên',
        stepTitle: 'Chi bộ xét đề nghị kết nạp',
        actorLabel: 'Chi ủy',
        actorNames: ['Nguyễn Văn An'],
        deadlineText: 'ngày 12/12/2026',
        overdueWorkingDays: 1,
        round: 1,
        caseUrl: `https://cadreflow.example.vn/cases/${caseId}`,
      });
    const keyOf = (tag: string, i: number): OutboxKey => ({
      caseId: `${tag}-${i}`,
      stepId: 'S1',
      level: 'escalation',
      round: 1,
    });
    const mailbox = async (after: number): Promise<MailSummary[]> =>
      (await (
        await fetch(`http://127.0.0.1:${httpPort}/messages?view=summary&after=${after}`)
      ).json()) as MailSummary[];
    // Until `want` arrived, or nothing did for 30 s from `from` (the instant: nothing comes before it).
    // `onAll` is called as soon as a reading finds them all.
    const received = async (want: number, seq0: number, from = 0, onAll?: () => void): Promise<MailSummary[]> => {
      const all: MailSummary[] = [];
      for (let quiet = 0; all.length < want && quiet < 150;) {
        await new Promise((r) => setTimeout(r, 200));
        const more = await mailbox(all.length > 0 ? all[all.length - 1]!.seq : seq0);
        quiet = more.length > 0 || Date.now() < from ? 0 : quiet + 1;
        all.push(...more);
      }
      onAll?.();
      await new Promise((r) => setTimeout(r, 2000));
      all.push(...(await mailbox(all.length > 0 ? all[all.length - 1]!.seq : seq0)));
      return all;
    };
    const seqNow = async (): Promise<number> => (await mailbox(0)).reduce((s, x) => Math.max(s, x.seq), 0);

    // The baseline: the same messages straight over the transport, eight at a time, no database.
    log(`baseline: ${m} e-mails straight over the SMTP pool (${poolSize} connections)`);
    let seq0 = await seqNow();
    const bareCpu = cpuProfile(cpuGroups);
    const bareStart = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: poolSize }, async () => {
        for (let i = next++; i < m; i = next++) {
          await transport.send({ ...content(`bare-${i}`), messageId: messageIdFor(keyOf('bare', i)) });
        }
      })
    );
    const bareMail = await received(m, seq0);
    const bareCpuMs = perMail(bareCpu.stop());
    const bareSeconds = (Math.max(...bareMail.map((x) => Date.parse(x.receivedAt))) - bareStart) / 1000;

    // The dispatcher: armed ahead, sent at the instant.
    log(`dispatcher: arming ${m} e-mails`);
    const reports: DispatchReport[] = [];
    // --compose-at-send: the transport without compose/sendRaw, so that the round composes each e-mail as it sends.
    const sender = composeAtSend
      ? { send: (mail: Parameters<typeof transport.send>[0]) => transport.send(mail) }
      : transport;
    // As the worker builds it: as many e-mails in flight as the pool has connections, each recorded on this
    // machine's disk as the SMTP server accepts it (--no-accepted-log: not).
    const accepted = noAcceptedLog
      ? undefined
      : new AcceptedLog(models, join(dir, 'mail-accepted'), 'dispatcher', newProcessTag());
    const dispatcher = new MailDispatcher(models, sender, {
      concurrency: poolSize,
      onDispatched: (r) => reports.push(r),
      ...(accepted ? { accepted } : {}),
    });
    await dispatcher.start();
    // The instant comes after the arming: its pace measured on a first few hundred messages (armed for an hour
    // ahead under their own keys, never sent), the instant set with room to spare, and as far again as the round
    // composes ahead (PREPARE_LEAD_MS), as cases armed well before their instant give it in the worker.
    const arm = async (tag: string, count: number, at: number): Promise<void> => {
      for (let i = 0; i < count; i += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, count - i) }, (_, k) =>
            armMessage(models, keyOf(tag, i + k), content(`${tag}-${i + k}`), at, dispatcher.tokenFor(at))
          )
        );
      }
    };
    const warm = Math.min(500, m);
    const warmStart = Date.now();
    await arm('warm', warm, Date.now() + 3_600_000);
    const perMessageMs = (Date.now() - warmStart) / warm;
    const sendAt = Date.now() + Math.ceil(perMessageMs * m * 1.5) + 3_000 + PREPARE_LEAD_MS;
    const armStart = Date.now();
    await arm('armed', m, sendAt);
    const armSeconds = (Date.now() - armStart) / 1000;
    if (Date.now() > sendAt - 500) throw new Error(`arming took ${armSeconds} s, past the instant planned for it`);
    seq0 = await seqNow();
    const dispatchCpu = cpuProfile(cpuGroups);
    // The same from the instant to the last arrival (to the reading that found it, 200 ms apart): the round itself,
    // without the marking that follows it.
    let instantCpu: ReturnType<typeof cpuProfile> | undefined;
    const instantTimer = setTimeout(() => (instantCpu = cpuProfile(cpuGroups)), sendAt - Date.now());
    let instantCpuMs: Record<string, number> = {};
    dispatcher.schedule(sendAt);
    const mail = await received(m, seq0, sendAt, () => (instantCpuMs = perMail(instantCpu?.stop() ?? {})));
    clearTimeout(instantTimer);
    while (reports.length === 0) await new Promise((r) => setTimeout(r, 200));
    const dispatchCpuMs = perMail(dispatchCpu.stop());
    const markedSeconds = (Date.now() - sendAt) / 1000;
    await dispatcher.stop();
    const sentInOutbox = await models.Outbox.countDocuments({ status: 'sent' });
    await accepted?.close();

    const ids = mail.map((x) => x.messageId);
    const lateness = distribution(mail.map((x) => (Date.parse(x.receivedAt) - sendAt) / 1000));
    const result = {
      machine: machineInfo(),
      handler,
      m,
      poolSize,
      composeAhead: !composeAtSend,
      baseline: {
        seconds: round(bareSeconds),
        emailsPerSecond: round(m / bareSeconds),
        received: bareMail.length,
        cpuMsPerEmail: bareCpuMs,
      },
      dispatcher: {
        armSeconds: round(armSeconds),
        lastArrivalSeconds: round(lateness.max),
        emailsPerSecond: round(m / lateness.max),
        latenessSeconds: { p50: round(lateness.p50), p95: round(lateness.p95), p99: round(lateness.p99) },
        received: mail.length,
        distinct: new Set(ids).size,
        allMarkedSentAfterSeconds: round(markedSeconds),
        sentInOutbox,
        cpuMsPerEmail: dispatchCpuMs,
        instantCpuMsPerEmail: instantCpuMs,
        report: reports[0],
      },
      ratio: round(m / lateness.max / (m / bareSeconds)),
    };
    const out = join(REPO_ROOT, 'test-artifacts', 'bench');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'dispatch.json'), `${JSON.stringify(result, null, 2)}\n`);
    log('');
    log(
      `| M | handler | bare SMTP e-mails/s | dispatcher e-mails/s | ratio | lateness s p50 / p95 / p99 / last | all marked sent |`
    );
    log(`| --- | --- | --- | --- | --- | --- | --- |`);
    log(
      `| ${m} | ${handler} | ${result.baseline.emailsPerSecond} | ${result.dispatcher.emailsPerSecond} | ${result.ratio} | ` +
        `${lateness.p50.toFixed(2)} / ${lateness.p95.toFixed(2)} / ${lateness.p99.toFixed(2)} / ${lateness.max.toFixed(2)} | ` +
        `${markedSeconds.toFixed(1)} s (${sentInOutbox} of ${m}) |`
    );
    log('');
    log('CPU ms per e-mail (the phase, polling included): catcher / FerretDB / PostgreSQL / this process');
    for (const [phase, cpu] of [
      ['bare SMTP', bareCpuMs],
      ['dispatcher', dispatchCpuMs],
      ['dispatcher, instant to last arrival', instantCpuMs],
    ] as const) {
      log(`  ${phase}: ${cpu.catcher} / ${cpu.ferretdb} / ${cpu.postgresql} / ${cpu.sender}`);
    }
    const ok = mail.length === m && new Set(ids).size === m && bareMail.length === m && sentInOutbox === m;
    log(
      ok
        ? `every e-mail once (${m} and ${m})`
        : `FAILED: ${mail.length} received, ${new Set(ids).size} distinct, ${sentInOutbox} marked sent`
    );
    process.exitCode = ok ? 0 : 1;
  } finally {
    transport.close();
    await db.close();
    await catcher.stop();
    await ferret.stop();
    if (pg) await dropPgDatabase(pg);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
