#!/usr/bin/env node
/**
 * `cadreflow`: the command line over the REST API, for people at a terminal and for scripts. Signs in
 * once (`cadreflow login`), keeping an API token in ~/.config/cadreflow/credentials.json (or use
 * CADREFLOW_TOKEN and CADREFLOW_URL), then starts cases, lists them, shows the inbox and acts.
 * Exit codes are stable so that scripts can rely on them (see EXIT).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import { Argument, Command, CommanderError, Option } from 'commander';

export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  notAllowed: 3,
  notFound: 4,
  refused: 5,
  unavailable: 6,
  /** `cadreflow audit verify` found an audit entry changed, missing, out of order or forged. */
  auditTampered: 7,
} as const;

const EXIT_HELP = `
Mã thoát (exit codes):
  0  thành công
  1  lỗi không lường trước
  2  sai cú pháp lệnh hoặc dữ liệu không hợp lệ (400)
  3  chưa đăng nhập, không có quyền, hoặc bị tạm khóa đăng nhập (401, 403, 429)
  4  không tìm thấy (404)
  5  bị quy tắc từ chối: trạng thái hồ sơ không cho phép (409) hoặc dữ liệu trái quy định (422)
  6  máy chủ tạm thời không truy cập được (503, không kết nối được)
  7  nhật ký bị thay đổi: "cadreflow audit verify" tìm thấy mục bị sửa, bị xóa, sai thứ tự hoặc giả mạo

Biến môi trường: CADREFLOW_URL (địa chỉ API), CADREFLOW_TOKEN (mã truy cập, thay cho "cadreflow login"),
CADREFLOW_PASSWORD (mật khẩu cho "cadreflow login" khi chạy trong script).`;

/** Ends the command with an exit code after its output was written (a report whose outcome is the code). */
class CliExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
    readonly body?: unknown
  ) {
    super(message);
  }
}

interface Credentials {
  url: string;
  token: string;
  tokenId?: string;
  username?: string;
}

function credentialsPath(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'cadreflow', 'credentials.json');
}

function readCredentials(): Credentials | undefined {
  try {
    return JSON.parse(readFileSync(credentialsPath(), 'utf8')) as Credentials;
  } catch {
    return undefined;
  }
}

interface GlobalOptions {
  url?: string;
  json?: boolean;
}

function baseUrl(opts: GlobalOptions): string {
  return (opts.url || process.env.CADREFLOW_URL || readCredentials()?.url || 'http://127.0.0.1:8080').replace(
    /\/+$/,
    ''
  );
}

function exitCodeOf(status: number): number {
  if (status === 400 || status === 413 || status === 415) return EXIT.usage;
  if (status === 401 || status === 403 || status === 429) return EXIT.notAllowed;
  if (status === 404) return EXIT.notFound;
  if (status === 409 || status === 422) return EXIT.refused;
  if (status === 503 || status === 502 || status === 504) return EXIT.unavailable;
  return EXIT.unexpected;
}

async function request(
  opts: GlobalOptions,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  auth = true
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const token = process.env.CADREFLOW_TOKEN || readCredentials()?.token;
  if (auth && !token && !headers.cookie)
    throw new CliError(EXIT.notAllowed, 'Chưa đăng nhập: chạy "cadreflow login" hoặc đặt CADREFLOW_TOKEN.');
  let res: Response;
  try {
    res = await fetch(`${baseUrl(opts)}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(auth && token && !headers.cookie ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    throw new CliError(EXIT.unavailable, `Không kết nối được tới ${baseUrl(opts)}: ${(e as Error).message}`);
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  if (!res.ok) {
    const b = parsed as { code?: string; message?: string } | undefined;
    throw new CliError(
      exitCodeOf(res.status),
      `${b?.message ?? `Lỗi ${res.status}`}${b?.code ? ` [${b.code}]` : ''}`,
      parsed
    );
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Prints the answer: JSON for scripts with --json, or a few readable lines. */
function out(opts: GlobalOptions, body: unknown, human: (b: never) => string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(body, null, 2)}\n` : `${human(body as never)}\n`);
}

const fmtDate = (ms?: number): string =>
  ms === undefined ? '—' : new Date(ms + 7 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

interface CaseRow {
  caseId: string;
  title: string;
  status: string;
  currentStepId?: string;
  currentStepTitle?: string;
  dueAt?: number;
  overdue: boolean;
}
const caseLine = (c: CaseRow): string =>
  `${c.caseId}  ${c.status}${c.overdue ? ' (QUÁ HẠN)' : ''}  ${c.currentStepId ?? ''} ${c.currentStepTitle ?? ''}  hạn ${fmtDate(c.dueAt)}  ${c.title}`;
const pageLines = (p: { items: CaseRow[]; total: number; page: number; pageSize: number }): string =>
  [...p.items.map(caseLine), `— ${p.items.length}/${p.total} hồ sơ (trang ${p.page})`].join('\n');

function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

function int(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new CliError(EXIT.usage, `${name} phải là số nguyên.`);
    return n;
  };
}

function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CliError(EXIT.usage, `Không đọc được tệp JSON ${path}: ${(e as Error).message}`);
  }
}

async function readStdin(): Promise<string> {
  let s = '';
  for await (const chunk of process.stdin) s += String(chunk);
  return s.replace(/\r?\n$/, '');
}

export function buildProgram(): Command {
  const program = new Command('cadreflow')
    .description('Quy trình phê duyệt của Tỉnh ủy từ dòng lệnh: mở hồ sơ, xem hộp việc, ký/duyệt, quản trị.')
    .option('--url <url>', 'địa chỉ API (mặc định: CADREFLOW_URL hoặc địa chỉ lúc đăng nhập)')
    .option('--json', 'in kết quả dạng JSON cho script')
    .addHelpText('after', EXIT_HELP)
    .showHelpAfterError()
    .exitOverride();

  program
    .command('login')
    .description('Đăng nhập và lưu một mã truy cập vào ~/.config/cadreflow/credentials.json')
    .requiredOption('-u, --username <tên>', 'tên đăng nhập')
    .option('--password-stdin', 'đọc mật khẩu từ đầu vào chuẩn (mặc định: biến CADREFLOW_PASSWORD)')
    .option('--token-name <tên>', 'tên của mã truy cập', 'cadreflow CLI')
    .action(async (o: { username: string; passwordStdin?: boolean; tokenName: string }, cmd: Command) => {
      const g = globals(cmd);
      const password = o.passwordStdin ? await readStdin() : process.env.CADREFLOW_PASSWORD;
      if (!password) throw new CliError(EXIT.usage, 'Thiếu mật khẩu: dùng --password-stdin hoặc CADREFLOW_PASSWORD.');
      const login = await request(g, 'POST', '/api/auth/login', { username: o.username, password }, {}, false);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const csrf = (login.body as { csrfToken: string }).csrfToken;
      const session = { cookie, 'x-csrf-token': csrf };
      const token = (await request(g, 'POST', '/api/tokens', { name: o.tokenName }, session)).body as {
        id: string;
        token: string;
      };
      await request(g, 'POST', '/api/auth/logout', undefined, session);
      const path = credentialsPath();
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      const creds: Credentials = { url: baseUrl(g), token: token.token, tokenId: token.id, username: o.username };
      writeFileSync(path, JSON.stringify(creds, null, 2), { mode: 0o600 });
      out(
        g,
        { username: o.username, url: creds.url, tokenId: token.id },
        () => `Đã đăng nhập: ${o.username} (${creds.url}).`
      );
    });

  program
    .command('logout')
    .description('Thu hồi mã truy cập đã lưu và xóa tệp đăng nhập')
    .action(async (_o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const creds = readCredentials();
      if (creds?.tokenId) await request(g, 'DELETE', `/api/tokens/${creds.tokenId}`).catch(() => undefined);
      rmSync(credentialsPath(), { force: true });
      out(g, { ok: true }, () => 'Đã đăng xuất.');
    });

  program
    .command('whoami')
    .description('Cho biết đang đăng nhập với tài khoản nào')
    .action(async (_o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const r = await request(g, 'GET', '/api/me');
      out(
        g,
        r.body,
        (b: { user: { username: string; personName?: string; personId: string } }) =>
          `${b.user.username} — ${b.user.personName ?? ''} (${b.user.personId})`
      );
    });

  program
    .command('start')
    .description('Mở một hồ sơ (tờ trình) của một quy trình cho một đơn vị')
    .argument('<process>', 'mã quy trình: admission, planning, personnel-designation, personnel-byelection, ...')
    .requiredOption('--unit <id>', 'mã đơn vị của hồ sơ (ví dụ chi bộ của người vào Đảng)')
    .requiredOption('--title <tiêu đề>', 'tiêu đề hồ sơ')
    .option('--subject <họ tên>', 'người được xét (người vào Đảng, cán bộ)')
    .option('--case-id <id>', 'mã hồ sơ (mặc định: suy ra từ mã yêu cầu)')
    .option('--request-id <id>', 'mã yêu cầu; chạy lại với cùng mã thì không mở hồ sơ thứ hai')
    .action(
      async (
        process_: string,
        o: { unit: string; title: string; subject?: string; caseId?: string; requestId?: string },
        cmd: Command
      ) => {
        const g = globals(cmd);
        const r = await request(g, 'POST', '/api/cases', {
          requestId: o.requestId ?? randomUUID(),
          process: process_,
          title: o.title,
          caseUnitId: o.unit,
          ...(o.subject ? { subjectName: o.subject } : {}),
          ...(o.caseId ? { caseId: o.caseId } : {}),
        });
        out(g, r.body, (b: { caseId: string; created: boolean }) =>
          b.created ? `Đã mở hồ sơ ${b.caseId}.` : `Hồ sơ ${b.caseId} đã có (không mở lại).`
        );
      }
    );

  program
    .command('campaign')
    .description('Mở một đợt: mỗi đơn vị một hồ sơ, cùng một hạn chung (ví dụ rà soát quy hoạch trước 31/12)')
    .argument('<process>', 'mã quy trình')
    .requiredOption('--title <tiêu đề>', 'tên đợt')
    .requiredOption('--deadline <YYYY-MM-DD>', 'hạn chung của đợt')
    .requiredOption('--unit <id:tiêu đề...>', 'đơn vị và tiêu đề hồ sơ, dạng MÃ:Tiêu đề (lặp lại được)')
    .option('--campaign-id <id>', 'mã đợt')
    .option('--request-id <id>', 'mã yêu cầu; chạy lại với cùng mã thì không mở đợt thứ hai')
    .action(
      async (
        process_: string,
        o: { title: string; deadline: string; unit: string[]; campaignId?: string; requestId?: string },
        cmd: Command
      ) => {
        const g = globals(cmd);
        const units = o.unit.map((u) => {
          const i = u.indexOf(':');
          if (i < 1) throw new CliError(EXIT.usage, `--unit "${u}" phải có dạng MÃ:Tiêu đề.`);
          return { caseUnitId: u.slice(0, i), title: u.slice(i + 1) };
        });
        const r = await request(g, 'POST', '/api/campaigns', {
          requestId: o.requestId ?? randomUUID(),
          process: process_,
          titleVi: o.title,
          deadline: o.deadline,
          units,
          ...(o.campaignId ? { campaignId: o.campaignId } : {}),
        });
        out(
          g,
          r.body,
          (b: { campaignId: string; caseIds: string[] }) =>
            `Đợt ${b.campaignId}: ${b.caseIds.length} hồ sơ (${b.caseIds.join(', ')}).`
        );
      }
    );

  program
    .command('list')
    .description('Danh sách hồ sơ, lọc theo trạng thái, cấp ủy, quy trình, quá hạn')
    .addOption(
      new Option('--status <trạng thái>', 'trạng thái').choices([
        'open',
        'returned',
        'completed',
        'refused',
        'withdrawn',
        'escalatedToSuperior',
      ])
    )
    .option('--committee <id>', 'mã cấp ủy trực thuộc Tỉnh ủy')
    .option('--process <mã>', 'mã quy trình')
    .option('--overdue', 'chỉ hồ sơ quá hạn')
    .option('--page <n>', 'trang', int('--page'))
    .option('--page-size <n>', 'số hồ sơ một trang (tối đa 100)', int('--page-size'))
    .action(
      async (
        o: {
          status?: string;
          committee?: string;
          process?: string;
          overdue?: boolean;
          page?: number;
          pageSize?: number;
        },
        cmd: Command
      ) => {
        const g = globals(cmd);
        const q = new URLSearchParams();
        if (o.status) q.set('status', o.status);
        if (o.committee) q.set('committeeId', o.committee);
        if (o.process) q.set('process', o.process);
        if (o.overdue) q.set('overdue', 'true');
        if (o.page) q.set('page', String(o.page));
        if (o.pageSize) q.set('pageSize', String(o.pageSize));
        const r = await request(g, 'GET', `/api/cases?${q.toString()}`);
        out(g, r.body, pageLines);
      }
    );

  program
    .command('inbox')
    .description('Việc tôi phải làm (kể cả theo ủy quyền), hạn gần nhất trước')
    .option('--page <n>', 'trang', int('--page'))
    .option('--page-size <n>', 'số hồ sơ một trang (tối đa 100)', int('--page-size'))
    .action(async (o: { page?: number; pageSize?: number }, cmd: Command) => {
      const g = globals(cmd);
      const q = new URLSearchParams();
      if (o.page) q.set('page', String(o.page));
      if (o.pageSize) q.set('pageSize', String(o.pageSize));
      const r = await request(g, 'GET', `/api/inbox?${q.toString()}`);
      out(g, r.body, pageLines);
    });

  program
    .command('show')
    .description('Chi tiết một hồ sơ: các bước, hạn hiện tại, nhật ký và kết quả kiểm tra nhật ký')
    .argument('<caseId>', 'mã hồ sơ')
    .action(async (caseId: string, _o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const r = await request(g, 'GET', `/api/cases/${encodeURIComponent(caseId)}`);
      out(
        g,
        r.body,
        (b: {
          case: CaseRow;
          steps: { stepId: string; title: string; status: string; outcome?: string; actedBy?: string }[];
          verification: { ok: boolean; checked: number };
          deadlineText?: string;
        }) =>
          [
            caseLine(b.case),
            ...(b.deadlineText ? [`Hạn: ${b.deadlineText}`] : []),
            ...b.steps.map(
              (s) =>
                `  ${s.stepId} ${s.status}${s.outcome ? `/${s.outcome}` : ''} ${s.title}${s.actedBy ? ` — ${s.actedBy}` : ''}`
            ),
            `Nhật ký: ${b.verification.checked} mục, ${b.verification.ok ? 'toàn vẹn' : 'CÓ SAI LỆCH'}.`,
          ].join('\n')
      );
    });

  program
    .command('dashboard')
    .description('Theo từng cấp ủy: hồ sơ đang mở, quá hạn, đã báo cáo Thường trực Tỉnh ủy')
    .action(async (_o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const r = await request(g, 'GET', '/api/dashboard');
      out(g, r.body, (b: { items: { committeeName: string; open: number; overdue: number; escalated: number }[] }) =>
        b.items
          .map((i) => `${i.committeeName}: ${i.open} đang mở, ${i.overdue} quá hạn, ${i.escalated} đã báo cáo`)
          .join('\n')
      );
    });

  buildActCommand(program);
  buildAuditCommand(program);
  buildQuotaCommands(program);
  buildAdminCommand(program);
  return program;
}

function buildActCommand(program: Command): void {
  const act = program
    .command('act')
    .description('Thao tác trên bước hiện tại của một hồ sơ, với tư cách người đang đăng nhập')
    .addHelpText(
      'after',
      '\nMỗi thao tác nhận --request-id: chạy lại với cùng mã thì thao tác chỉ được thực hiện một lần.'
    );
  const send = async (cmd: Command, caseId: string, requestId: string | undefined, command: unknown): Promise<void> => {
    const g = globals(cmd);
    const r = await request(g, 'POST', `/api/cases/${encodeURIComponent(caseId)}/acts`, {
      requestId: requestId ?? randomUUID(),
      command,
    });
    out(
      g,
      r.body,
      (b: { caseId: string; status: string; current?: { stepId: string; title: string; deadlineText?: string } }) =>
        `Hồ sơ ${b.caseId}: ${b.status}${b.current ? `, bước ${b.current.stepId} ${b.current.title}${b.current.deadlineText ? ` (${b.current.deadlineText})` : ''}` : ''}.`
    );
  };
  const sub = (name: string, description: string) =>
    act
      .command(name)
      .description(description)
      .argument('<caseId>', 'mã hồ sơ')
      .option('--request-id <id>', 'mã yêu cầu (chống thực hiện hai lần)');

  for (const name of ['sign', 'approve']) {
    sub(name, name === 'sign' ? 'Ký (bước ký, quyết định, hội nghị, nộp hồ sơ)' : 'Duyệt (như sign)')
      .option('--note <ghi chú>', 'ghi chú')
      .option('--document <mã@YYYY-MM-DD...>', 'giấy tờ kèm theo và ngày ban hành')
      .action(async (caseId: string, o: { requestId?: string; note?: string; document?: string[] }, cmd: Command) =>
        send(cmd, caseId, o.requestId, { type: 'approve', ...noteOf(o), ...documentsOf(o.document) })
      );
  }
  sub('refuse', 'Từ chối (khi bước cho phép), phải nêu lý do')
    .requiredOption('--reason <lý do>', 'lý do từ chối')
    .action(async (caseId: string, o: { requestId?: string; reason: string }, cmd: Command) =>
      send(cmd, caseId, o.requestId, { type: 'refuse', reason: o.reason })
    );
  sub('return', 'Trả lại hồ sơ để bổ sung, với mã lý do của bước')
    .requiredOption('--reason-code <mã>', 'mã lý do trả lại')
    .option('--note <ghi chú>', 'ghi chú')
    .action(async (caseId: string, o: { requestId?: string; reasonCode: string; note?: string }, cmd: Command) =>
      send(cmd, caseId, o.requestId, { type: 'return', reasonCode: o.reasonCode, ...noteOf(o) })
    );
  sub('resubmit', 'Nộp lại hồ sơ đã bổ sung')
    .option('--note <ghi chú>', 'ghi chú')
    .option('--document <mã@YYYY-MM-DD...>', 'giấy tờ kèm theo và ngày ban hành')
    .action(async (caseId: string, o: { requestId?: string; note?: string; document?: string[] }, cmd: Command) =>
      send(cmd, caseId, o.requestId, { type: 'resubmit', ...noteOf(o), ...documentsOf(o.document) })
    );
  sub('vote', 'Ghi kết quả biểu quyết của tập thể')
    .requiredOption('--base <n>', 'số thành viên làm căn cứ tính tỉ lệ', int('--base'))
    .requiredOption('--present <n>', 'số có mặt', int('--present'))
    .requiredOption('--approve <n>', 'số tán thành', int('--approve'))
    .option('--reject <n>', 'số không tán thành', int('--reject'), 0)
    .option('--abstain <n>', 'số không biểu quyết', int('--abstain'), 0)
    .option('--document <mã@YYYY-MM-DD...>', 'giấy tờ kèm theo và ngày ban hành')
    .action(
      async (
        caseId: string,
        o: {
          requestId?: string;
          base: number;
          present: number;
          approve: number;
          reject: number;
          abstain: number;
          document?: string[];
        },
        cmd: Command
      ) =>
        send(cmd, caseId, o.requestId, {
          type: 'vote',
          tally: { base: o.base, present: o.present, approve: o.approve, reject: o.reject, abstain: o.abstain },
          ...documentsOf(o.document),
        })
    );
  sub('appraise', 'Thẩm định của Ban Tổ chức')
    .addOption(
      new Option('--outcome <kết luận>', 'recommend (đề nghị), refer (xin ý kiến), hold (tạm dừng xem xét)')
        .choices(['recommend', 'refer', 'hold'])
        .makeOptionMandatory()
    )
    .option('--note <ghi chú>', 'ghi chú')
    .action(async (caseId: string, o: { requestId?: string; outcome: string; note?: string }, cmd: Command) =>
      send(cmd, caseId, o.requestId, { type: 'appraise', outcome: o.outcome, ...noteOf(o) })
    );
  sub('extend', 'Gia hạn bước (trong giới hạn quy định), phải nêu lý do')
    .requiredOption('--reason <lý do>', 'lý do gia hạn')
    .option('--working-days <n>', 'số ngày làm việc', int('--working-days'))
    .option('--days <n>', 'số ngày theo lịch', int('--days'))
    .action(
      async (
        caseId: string,
        o: { requestId?: string; reason: string; workingDays?: number; days?: number },
        cmd: Command
      ) => {
        if ((o.workingDays === undefined) === (o.days === undefined))
          throw new CliError(EXIT.usage, 'Cần đúng một trong --working-days hoặc --days.');
        const period =
          o.workingDays !== undefined ? { unit: 'workingDays', n: o.workingDays } : { unit: 'calendarDays', n: o.days };
        await send(cmd, caseId, o.requestId, { type: 'extend', reason: o.reason, period });
      }
    );
  sub('obstacle', 'Báo cáo vướng mắc: chuyển ngay tới Thường trực Tỉnh ủy')
    .requiredOption('--text <nội dung>', 'nội dung vướng mắc')
    .action(async (caseId: string, o: { requestId?: string; text: string }, cmd: Command) =>
      send(cmd, caseId, o.requestId, { type: 'obstacle', text: o.text })
    );
  sub('delegate', 'Ủy quyền bước này cho một đồng chí khác trong một khoảng ngày')
    .requiredOption('--to <personId>', 'người được ủy quyền')
    .requiredOption('--from <YYYY-MM-DD>', 'từ ngày')
    .requiredOption('--until <YYYY-MM-DD>', 'đến ngày (kể cả ngày đó)')
    .action(async (caseId: string, o: { requestId?: string; to: string; from: string; until: string }, cmd: Command) =>
      send(cmd, caseId, o.requestId, { type: 'delegate', toPersonId: o.to, from: o.from, to: o.until })
    );
  sub('withdraw', 'Rút hồ sơ, phải nêu lý do')
    .requiredOption('--reason <lý do>', 'lý do rút')
    .action(async (caseId: string, o: { requestId?: string; reason: string }, cmd: Command) =>
      send(cmd, caseId, o.requestId, { type: 'withdraw', reason: o.reason })
    );
}

interface AuditReport {
  ok: boolean;
  checked: number;
  problems: { caseId: string; seq: number; code: string; problem: string }[];
}

function buildAuditCommand(program: Command): void {
  const audit = program.command('audit').description('Nhật ký của hồ sơ (Ủy ban Kiểm tra, quản trị viên)');
  audit
    .command('verify')
    .description(
      'Kiểm tra tính toàn vẹn của nhật ký: tính lại chuỗi mã băm và báo mọi mục bị sửa, bị xóa, sai thứ tự hoặc giả mạo'
    )
    .argument('[caseId]', 'mã hồ sơ (mặc định: mọi hồ sơ)')
    .addHelpText(
      'after',
      `\nMã thoát: 0 khi nhật ký toàn vẹn, ${EXIT.auditTampered} khi có sai lệch (mỗi sai lệch in trên một dòng).`
    )
    .action(async (caseId: string | undefined, _o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const path = caseId === undefined ? '/api/audit/verify' : `/api/cases/${encodeURIComponent(caseId)}/audit/verify`;
      const r = await request(g, 'GET', path);
      const report = r.body as AuditReport;
      const scope = caseId === undefined ? 'mọi hồ sơ' : `hồ sơ ${caseId}`;
      out(g, report, (b: AuditReport) =>
        b.ok
          ? `Nhật ký ${scope} toàn vẹn: ${b.checked} mục đã kiểm tra, không có sai lệch.`
          : [
              ...b.problems.map((p) => `${p.caseId}  mục ${p.seq}  [${p.code}]  ${p.problem}`),
              `NHẬT KÝ BỊ THAY ĐỔI (${scope}): ${b.problems.length} sai lệch trong ${b.checked} mục đã kiểm tra.`,
            ].join('\n')
      );
      if (!report.ok) throw new CliExit(EXIT.auditTampered);
    });
}

const noteOf = (o: { note?: string }): { note?: string } => (o.note ? { note: o.note } : {});

function documentsOf(docs: string[] | undefined): { documents?: { code: string; issuedOn: string }[] } {
  if (!docs?.length) return {};
  return {
    documents: docs.map((d) => {
      const [code, issuedOn] = d.split('@');
      if (!code || !issuedOn) throw new CliError(EXIT.usage, `--document "${d}" phải có dạng MÃ@YYYY-MM-DD.`);
      return { code, issuedOn };
    }),
  };
}

/** A file from the API (CSV or XLSX): its bytes and the ASCII name the server offers. */
async function download(opts: GlobalOptions, path: string): Promise<{ bytes: Buffer; filename?: string }> {
  const token = process.env.CADREFLOW_TOKEN || readCredentials()?.token;
  if (!token) throw new CliError(EXIT.notAllowed, 'Chưa đăng nhập: chạy "cadreflow login" hoặc đặt CADREFLOW_TOKEN.');
  let res: Response;
  try {
    res = await fetch(`${baseUrl(opts)}${path}`, { headers: { authorization: `Bearer ${token}` } });
  } catch (e) {
    throw new CliError(EXIT.unavailable, `Không kết nối được tới ${baseUrl(opts)}: ${(e as Error).message}`);
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  if (!res.ok) {
    let b: { code?: string; message?: string } | undefined;
    try {
      b = JSON.parse(bytes.toString('utf8')) as typeof b;
    } catch {
      // not JSON
    }
    throw new CliError(
      exitCodeOf(res.status),
      `${b?.message ?? `Lỗi ${res.status}`}${b?.code ? ` [${b.code}]` : ''}`,
      b
    );
  }
  const m = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '');
  return { bytes, ...(m?.[1] ? { filename: m[1] } : {}) };
}

/** Today's year and quarter in Vietnam. */
function vnNow(): { year: number; quarter: number; month: string } {
  const d = new Date(Date.now() + 7 * 3600_000).toISOString();
  const month = Number(d.slice(5, 7));
  return { year: Number(d.slice(0, 4)), quarter: Math.ceil(month / 3), month: d.slice(0, 7) };
}

function writeOut(path: string, data: string | Buffer): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
    throw new CliError(EXIT.unexpected, `Không ghi được tệp ${path}: ${(e as Error).message}`);
  }
}

const REPORT_HELP = `
Báo cáo:
  attainment  kết quả phát triển đảng viên theo đơn vị và khối (chỉ tiêu, đã kết nạp, tỷ lệ)
  briefing    giao ban quý: theo từng cấp ủy, hồ sơ trong hạn / quá hạn / đã báo cáo và kết quả chỉ tiêu
  attendance  sinh hoạt chi bộ theo cấp ủy trong các tháng đã chọn (chỉ có dạng json)

Ví dụ:
  cadreflow report attainment --year 2026 --format xlsx --out chi-tieu-2026.xlsx
  cadreflow report briefing --year 2026 --quarter 3 --format csv > giao-ban.csv
  cadreflow report attendance --months 2026-09,2026-10`;

function buildQuotaCommands(program: Command): void {
  program
    .command('report')
    .description(
      'Xem hoặc tải một báo cáo: attainment (chỉ tiêu), briefing (giao ban quý), attendance (sinh hoạt chi bộ)'
    )
    .addArgument(
      new Argument('<báo-cáo>', 'attainment, briefing hoặc attendance').choices([
        'attainment',
        'briefing',
        'attendance',
      ])
    )
    .option('--year <năm>', 'năm của báo cáo (mặc định: năm nay)', int('--year'))
    .option('--quarter <1-4>', 'quý, cho giao ban quý (mặc định: quý hiện tại)', int('--quarter'))
    .option('--as-of <YYYY-MM-DD>', 'tính số liệu chỉ tiêu đến ngày này (mặc định: hôm nay hoặc cuối năm)')
    .option('--months <YYYY-MM,...>', 'các tháng, cho báo cáo sinh hoạt chi bộ (mặc định: tháng này)')
    .addOption(
      new Option('--format <dạng>', 'json (xem trên màn hình), csv hoặc xlsx (tải tệp)')
        .choices(['json', 'csv', 'xlsx'])
        .default('json')
    )
    .option('--out <tệp>', 'ghi kết quả vào tệp này (xlsx không có --out: ghi vào tệp mang tên do máy chủ đặt)')
    .addHelpText('after', REPORT_HELP)
    .action(
      async (
        which: 'attainment' | 'briefing' | 'attendance',
        o: {
          year?: number;
          quarter?: number;
          asOf?: string;
          months?: string;
          format: 'json' | 'csv' | 'xlsx';
          out?: string;
        },
        cmd: Command
      ) => {
        const g = globals(cmd);
        const now = vnNow();
        const year = o.year ?? now.year;
        const quarter = o.quarter ?? now.quarter;
        if (quarter < 1 || quarter > 4) throw new CliError(EXIT.usage, '--quarter phải là 1, 2, 3 hoặc 4.');
        const q = new URLSearchParams();
        let path: string;
        if (which === 'attendance') {
          if (o.format !== 'json') throw new CliError(EXIT.usage, 'Báo cáo sinh hoạt chi bộ chỉ có dạng json.');
          q.set('months', o.months ?? now.month);
          path = `/api/reports/attendance?${q.toString()}`;
        } else if (which === 'attainment') {
          q.set('year', String(year));
          if (o.asOf) q.set('asOf', o.asOf);
          path =
            o.format === 'json'
              ? `/api/quotas/${year}/attainment${o.asOf ? `?asOf=${encodeURIComponent(o.asOf)}` : ''}`
              : `/api/reports/attainment.${o.format}?${q.toString()}`;
        } else {
          q.set('year', String(year));
          q.set('quarter', String(quarter));
          path =
            o.format === 'json'
              ? `/api/reports/briefing?${q.toString()}`
              : `/api/reports/briefing.${o.format}?${q.toString()}`;
        }
        if (o.format !== 'json') {
          const file = await download(g, path);
          const target =
            o.out ?? (o.format === 'xlsx' ? basename(file.filename ?? `${which}-${year}.xlsx`) : undefined);
          if (target === undefined) {
            process.stdout.write(file.bytes);
            return;
          }
          writeOut(target, file.bytes);
          out(g, { file: target, bytes: file.bytes.length }, () => `Đã ghi ${target} (${file.bytes.length} byte).`);
          return;
        }
        const r = await request(g, 'GET', path);
        if (o.out) {
          writeOut(o.out, `${JSON.stringify(r.body, null, 2)}\n`);
          out(g, { file: o.out }, () => `Đã ghi ${o.out}.`);
          return;
        }
        if (which === 'attainment')
          out(
            g,
            r.body,
            (b: {
              asOf: string;
              rows: { unitId: string; name: string; depth: number; target: number; attained: number; pct: number }[];
            }) =>
              [
                `Đến ngày ${b.asOf}:`,
                ...b.rows.map(
                  (x) => `${'  '.repeat(x.depth)}${x.unitId}  ${x.name}: ${x.attained}/${x.target} (${x.pct}%)`
                ),
              ].join('\n')
          );
        else if (which === 'briefing')
          out(
            g,
            r.body,
            (b: {
              quarter: number;
              year: number;
              asOf: string;
              rows: {
                committeeId: string;
                name: string;
                openCases: number;
                overdue: number;
                escalated: number;
                attained: number;
                target: number;
                pct: number;
              }[];
            }) =>
              [
                `Giao ban quý ${b.quarter}/${b.year} (số liệu đến ${b.asOf}):`,
                ...b.rows.map(
                  (x) =>
                    `${x.committeeId}  ${x.name}: ${x.openCases} hồ sơ đang xử lý, ${x.overdue} quá hạn, ${x.escalated} đã báo cáo; kết nạp ${x.attained}/${x.target} (${x.pct}%)`
                ),
              ].join('\n')
          );
        else
          out(
            g,
            r.body,
            (b: {
              months: string[];
              items: {
                committeeId: string;
                meetings: number;
                expectedMeetings: number;
                missed: number;
                attendancePct: number;
              }[];
            }) =>
              [
                `Tháng ${b.months.join(', ')}:`,
                ...b.items.map(
                  (x) =>
                    `${x.committeeId}: ${x.meetings}/${x.expectedMeetings} buổi, ${x.missed} lượt chi bộ không họp, dự họp ${x.attendancePct}%`
                ),
              ].join('\n')
          );
      }
    );

  const quota = program.command('quota').description('Kế hoạch chỉ tiêu phát triển đảng viên của một năm');
  quota
    .command('set')
    .description(
      'Lưu kế hoạch chỉ tiêu của một năm từ tệp JSON (quản trị); kế hoạch không khớp bị từ chối và nêu chỗ sai'
    )
    .argument('<year>', 'năm', int('năm'))
    .argument(
      '<plan.json>',
      'tệp kế hoạch: {year, rootUnitId, units: [{unitId, parentUnitId, name, target, sectors, groups}]}'
    )
    .action(async (year: number, file: string, _o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const r = await request(g, 'PUT', `/api/quotas/${year}`, readJsonFile(file));
      out(g, r.body, (b: { units: unknown[] }) => `Đã lưu kế hoạch chỉ tiêu năm ${year} (${b.units.length} đơn vị).`);
    });
  quota
    .command('show')
    .description('Xem kế hoạch chỉ tiêu của một năm (JSON)')
    .argument('<year>', 'năm', int('năm'))
    .action(async (year: number, _o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const r = await request(g, 'GET', `/api/quotas/${year}`);
      process.stdout.write(`${JSON.stringify(r.body, null, 2)}\n`);
      void g;
    });
  quota
    .command('start')
    .description(
      'Bắt đầu theo dõi chỉ tiêu của năm: kiểm tra định kỳ, nhắc đơn vị chậm, báo cáo Thường trực (quản trị)'
    )
    .argument('<year>', 'năm', int('năm'))
    .option('--quarterly', 'kiểm tra mỗi quý thay vì mỗi tháng')
    .option('--threshold <phần-trăm>', 'đơn vị dưới tỷ lệ này so với tiến độ thì bị nhắc (mặc định 80)', Number)
    .action(async (year: number, o: { quarterly?: boolean; threshold?: number }, cmd: Command) => {
      const g = globals(cmd);
      if (o.threshold !== undefined && !(o.threshold >= 0 && o.threshold <= 100))
        throw new CliError(EXIT.usage, '--threshold phải là một số từ 0 đến 100.');
      const r = await request(g, 'POST', `/api/quotas/${year}/start`, {
        ...(o.quarterly ? { frequency: 'quarterly' } : {}),
        ...(o.threshold !== undefined ? { thresholdPct: o.threshold } : {}),
      });
      out(g, r.body, (b: { workflowId: string; created: boolean }) =>
        b.created
          ? `Đã bắt đầu theo dõi chỉ tiêu năm ${year} (${b.workflowId}).`
          : `Việc theo dõi chỉ tiêu năm ${year} đã có (${b.workflowId}).`
      );
    });

  const meetings = program.command('meetings').description('Dữ liệu sinh hoạt chi bộ từ Sổ tay đảng viên điện tử');
  meetings
    .command('import')
    .description('Nhập tệp xuất từ Sổ tay (CSV hoặc JSON); tệp có lỗi bị từ chối cả tệp, kèm dòng và lý do')
    .argument('<file>', 'tệp .csv hoặc .json')
    .addOption(new Option('--format <dạng>', 'csv hoặc json (mặc định: theo đuôi tệp)').choices(['csv', 'json']))
    .action(async (file: string, o: { format?: 'csv' | 'json' }, cmd: Command) => {
      const g = globals(cmd);
      const ext = extname(file).slice(1).toLowerCase();
      const format = o.format ?? (ext === 'csv' || ext === 'json' ? ext : undefined);
      if (!format) throw new CliError(EXIT.usage, `Không biết dạng của tệp ${file}: dùng --format csv hoặc json.`);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new CliError(EXIT.usage, `Không đọc được tệp ${file}: ${(e as Error).message}`);
      }
      const r = await request(g, 'POST', '/api/meetings/import', { format, text });
      out(
        g,
        r.body,
        (b: { imported: number; months: string[] }) =>
          `Đã nhập ${b.imported} buổi sinh hoạt (tháng ${b.months.join(', ') || '—'}).`
      );
    });
}

function buildAdminCommand(program: Command): void {
  const admin = program
    .command('admin')
    .description('Việc của quản trị viên: cán bộ, chức vụ, lịch năm, phiên bản quy trình, tài khoản');

  const people = admin.command('people').description('Danh sách cán bộ, thêm hoặc sửa một cán bộ');
  people
    .command('list')
    .description('Liệt kê cán bộ')
    .action(async (_o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const r = await request(g, 'GET', '/api/org/people');
      out(g, r.body, (b: { items: { id: string; name: string; email: string }[] }) =>
        b.items.map((p) => `${p.id}  ${p.name}  <${p.email}>`).join('\n')
      );
    });
  people
    .command('set')
    .description('Thêm hoặc sửa một cán bộ')
    .argument('<personId>', 'mã cán bộ')
    .requiredOption('--name <họ tên>', 'họ tên')
    .requiredOption('--email <địa chỉ>', 'thư điện tử')
    .action(async (id: string, o: { name: string; email: string }, cmd: Command) => {
      const g = globals(cmd);
      const r = await request(g, 'PUT', `/api/org/people/${encodeURIComponent(id)}`, o);
      out(g, r.body, () => `Đã lưu cán bộ ${id}.`);
    });

  const roles = admin.command('roles').description('Chức vụ: liệt kê, giao, kết thúc');
  roles
    .command('list')
    .description('Liệt kê chức vụ')
    .option('--person <id>', 'của một cán bộ')
    .option('--body <id>', 'trong một tổ chức')
    .option('--on <YYYY-MM-DD>', 'còn hiệu lực vào ngày')
    .action(async (o: { person?: string; body?: string; on?: string }, cmd: Command) => {
      const g = globals(cmd);
      const q = new URLSearchParams();
      if (o.person) q.set('personId', o.person);
      if (o.body) q.set('bodyId', o.body);
      if (o.on) q.set('onDate', o.on);
      const r = await request(g, 'GET', `/api/org/roles?${q.toString()}`);
      out(g, r.body, (b: { items: { id: string; from: string; to?: string }[] }) =>
        b.items.map((a) => `${a.id}  ${a.from} → ${a.to ?? '…'}`).join('\n')
      );
    });
  roles
    .command('add')
    .description('Giao một chức vụ')
    .requiredOption('--person <id>', 'mã cán bộ')
    .requiredOption('--body <id>', 'mã tổ chức')
    .requiredOption(
      '--role <mã>',
      'secretary, deputySecretary, standingMember, committeeMember, head, deputyHead, specialist, officialMember, ...'
    )
    .requiredOption('--from <YYYY-MM-DD>', 'từ ngày')
    .option('--to <YYYY-MM-DD>', 'đến ngày (kể cả)')
    .action(async (o: { person: string; body: string; role: string; from: string; to?: string }, cmd: Command) => {
      const g = globals(cmd);
      const r = await request(g, 'POST', '/api/org/roles', {
        personId: o.person,
        bodyId: o.body,
        role: o.role,
        from: o.from,
        ...(o.to ? { to: o.to } : {}),
      });
      out(g, r.body, (b: { id: string }) => `Đã giao chức vụ ${b.id}.`);
    });
  roles
    .command('end')
    .description('Kết thúc một chức vụ vào một ngày')
    .argument('<roleId>', 'mã chức vụ (như trong "roles list")')
    .requiredOption('--to <YYYY-MM-DD>', 'ngày cuối cùng giữ chức vụ')
    .action(async (id: string, o: { to: string }, cmd: Command) => {
      const g = globals(cmd);
      const r = await request(g, 'PATCH', `/api/org/roles/${encodeURIComponent(id)}`, { to: o.to });
      out(g, r.body, () => `Đã kết thúc chức vụ ${id} vào ${o.to}.`);
    });

  const calendar = admin.command('calendar').description('Lịch nghỉ chính thức theo năm (ngày nghỉ, ngày làm bù)');
  calendar
    .command('list')
    .description('Các năm đã có lịch')
    .action(async (_o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const r = await request(g, 'GET', '/api/calendar/years');
      out(g, r.body, (b: { items: { year: number; source: string }[] }) =>
        b.items.map((y) => `${y.year}  ${y.source === 'stored' ? 'do quản trị viên lưu' : 'có sẵn'}`).join('\n')
      );
    });
  calendar
    .command('show')
    .description('Lịch của một năm')
    .argument('<year>', 'năm', int('năm'))
    .action(async (year: number, _o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const r = await request(g, 'GET', `/api/calendar/years/${year}`);
      out(
        g,
        r.body,
        (b: { schedule: { daysOff: string[]; workingDays: string[] } }) =>
          `Ngày nghỉ: ${b.schedule.daysOff.join(', ')}\nNgày làm bù: ${b.schedule.workingDays.join(', ') || '—'}`
      );
    });
  calendar
    .command('set')
    .description('Lưu lịch của một năm từ tệp JSON {daysOff, workingDays, basis}')
    .argument('<year>', 'năm', int('năm'))
    .requiredOption('--file <tệp.json>', 'tệp lịch')
    .action(async (year: number, o: { file: string }, cmd: Command) => {
      const g = globals(cmd);
      const r = await request(g, 'PUT', `/api/calendar/years/${year}`, readJsonFile(o.file));
      out(g, r.body, () => `Đã lưu lịch năm ${year}.`);
    });
  calendar
    .command('delete')
    .description('Xóa lịch đã lưu của một năm (trở về lịch có sẵn hoặc lịch tính toán)')
    .argument('<year>', 'năm', int('năm'))
    .action(async (year: number, _o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const r = await request(g, 'DELETE', `/api/calendar/years/${year}`);
      out(g, r.body, () => `Đã xóa lịch năm ${year}.`);
    });

  const rules = admin.command('rules').description('Quy trình và các phiên bản quy tắc');
  rules
    .command('list')
    .description('Các quy trình và phiên bản')
    .action(async (_o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const r = await request(g, 'GET', '/api/processes');
      out(
        g,
        r.body,
        (b: { items: { key: string; titleVi: string; versions: { version: number; effectiveFrom: string }[] }[] }) =>
          b.items
            .map(
              (p) =>
                `${p.key}  ${p.titleVi}  ${p.versions.map((v) => `v${v.version} từ ${v.effectiveFrom}`).join(', ')}`
            )
            .join('\n')
      );
    });
  rules
    .command('show')
    .description('Mọi phiên bản của một quy trình (JSON)')
    .argument('<process>', 'mã quy trình')
    .action(async (key: string, _o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const r = await request(g, 'GET', `/api/processes/${encodeURIComponent(key)}`);
      process.stdout.write(`${JSON.stringify(r.body, null, 2)}\n`);
      void g;
    });
  rules
    .command('new-version')
    .description('Tạo phiên bản mới từ phiên bản mới nhất với các thay đổi trong tệp JSON')
    .argument('<process>', 'mã quy trình')
    .requiredOption('--from <YYYY-MM-DD>', 'ngày bắt đầu áp dụng (sau ngày của phiên bản mới nhất)')
    .requiredOption(
      '--changes <tệp.json>',
      'các thay đổi: {titleVi?, rules?, steps?: {C5: {...}}, removeSteps?, addSteps?}'
    )
    .action(async (key: string, o: { from: string; changes: string }, cmd: Command) => {
      const g = globals(cmd);
      const r = await request(g, 'POST', `/api/processes/${encodeURIComponent(key)}/versions`, {
        effectiveFrom: o.from,
        changes: readJsonFile(o.changes),
      });
      out(
        g,
        r.body,
        (b: { version: number; effectiveFrom: string }) =>
          `Đã tạo phiên bản ${b.version} của ${key}, áp dụng từ ${b.effectiveFrom}.`
      );
    });

  const users = admin.command('users').description('Tài khoản đăng nhập');
  users
    .command('list')
    .description('Liệt kê tài khoản')
    .action(async (_o: unknown, cmd: Command) => {
      const g = globals(cmd);
      const r = await request(g, 'GET', '/api/users');
      out(
        g,
        r.body,
        (b: {
          items: { username: string; personId: string; isAdmin: boolean; isInspector: boolean; active: boolean }[];
        }) =>
          b.items
            .map(
              (u) =>
                `${u.username}  ${u.personId}${u.isAdmin ? ' quản trị' : ''}${u.isInspector ? ' kiểm tra' : ''}${u.active ? '' : ' (đã khóa)'}`
            )
            .join('\n')
      );
    });
  users
    .command('add')
    .description('Tạo tài khoản cho một cán bộ; mật khẩu đọc từ CADREFLOW_NEW_PASSWORD')
    .argument('<username>', 'tên đăng nhập')
    .requiredOption('--person <id>', 'mã cán bộ')
    .option('--admin', 'quản trị viên')
    .option('--inspector', 'tài khoản kiểm tra (chỉ xem)')
    .action(async (username: string, o: { person: string; admin?: boolean; inspector?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const password = process.env.CADREFLOW_NEW_PASSWORD;
      if (!password) throw new CliError(EXIT.usage, 'Đặt mật khẩu của tài khoản mới trong CADREFLOW_NEW_PASSWORD.');
      const r = await request(g, 'POST', '/api/users', {
        username,
        password,
        personId: o.person,
        isAdmin: !!o.admin,
        isInspector: !!o.inspector,
      });
      out(g, r.body, () => `Đã tạo tài khoản ${username}.`);
    });
}

export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        return EXIT.ok;
      return EXIT.usage;
    }
    if (e instanceof CliExit) return e.exitCode;
    const json = argv.includes('--json');
    if (e instanceof CliError) {
      if (json) process.stderr.write(`${JSON.stringify(e.body ?? { message: e.message })}\n`);
      else process.stderr.write(`cadreflow: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`cadreflow: lỗi không lường trước: ${(e as Error).message}\n`);
    return EXIT.unexpected;
  }
}

if (require.main === module) {
  void run(process.argv).then((code) => {
    process.exitCode = code;
  });
}
