/**
 * The first administrator of a fresh install: `npm run create-admin -- --username quantri --person-id qt-01`
 * (add `--name` and `--email` when that person is not yet in the organisation data). Reads the same
 * environment as the API (worker/config.ts), connects to MongoDB only, and creates an administrator
 * account for the person; the password comes from CADREFLOW_ADMIN_PASSWORD or is asked for at the
 * terminal. Refuses when the username is taken. Exit codes: 0 created, 1 failure, 2 bad usage, 5 refused.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import mongoose from 'mongoose';
import { createModels, ensureIndexes } from '../activities/store/models';
import { saveOrg } from '../activities/store/org-store';
import { createUser, ServiceError, type ServiceDeps } from '../client/services';
import { createDefaultRegistry } from '../domain/processes';
import { ConfigError, loadConfig } from '../worker/config';

const USAGE = `Tạo tài khoản quản trị viên đầu tiên.

  npm run create-admin -- --username <tên> --person-id <mã cán bộ> [--name <họ tên> --email <thư>]

  --username   tên đăng nhập (chữ, số, . _ -)
  --person-id  mã cán bộ gắn với tài khoản
  --name, --email  họ tên và thư điện tử, để thêm cán bộ khi mã cán bộ chưa có trong danh sách

Mật khẩu (ít nhất 10 ký tự) lấy từ biến CADREFLOW_ADMIN_PASSWORD, hoặc được hỏi khi chạy.
Kết nối MongoDB theo MONGODB_URL như API.`;

/** Asks for the password at the terminal without echoing it. */
async function promptPassword(question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    return await new Promise<string>((resolve) => {
      rl.question(question, (answer) => resolve(answer));
      muted = true;
    });
  } finally {
    rl.close();
    process.stdout.write('\n');
  }
}

async function password(): Promise<string> {
  const fromEnv = process.env.CADREFLOW_ADMIN_PASSWORD;
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY)
    throw new UsageError('Đặt mật khẩu trong CADREFLOW_ADMIN_PASSWORD (không có bàn phím để hỏi).');
  const first = await promptPassword('Mật khẩu: ');
  const again = await promptPassword('Nhập lại mật khẩu: ');
  if (first !== again) throw new UsageError('Hai lần nhập mật khẩu không khớp.');
  return first;
}

class UsageError extends Error {}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      username: { type: 'string' },
      'person-id': { type: 'string' },
      name: { type: 'string' },
      email: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const username = values.username;
  const personId = values['person-id'];
  if (!username || !personId) throw new UsageError(`Thiếu --username hoặc --person-id.\n\n${USAGE}`);
  if ((values.name === undefined) !== (values.email === undefined))
    throw new UsageError('--name và --email phải đi cùng nhau.');

  const config = loadConfig();
  const secret = await password();
  const db = await mongoose
    .createConnection(config.mongodbUrl, { serverSelectionTimeoutMS: 5000, bufferCommands: false })
    .asPromise();
  try {
    const models = createModels(db);
    await ensureIndexes(models);
    const deps: ServiceDeps = {
      models,
      // Creating a user and a person never reaches Temporal.
      temporal: new Proxy({} as Client, {
        get: () => {
          throw new Error('create-admin does not use Temporal');
        },
      }),
      registry: createDefaultRegistry(),
      config,
      now: Date.now,
    };
    if (await models.User.exists({ _id: username.trim().toLowerCase() }))
      throw new ServiceError(409, 'USER_EXISTS', `Tên đăng nhập «${username}» đã có; không tạo lại.`);
    if (!(await models.PersonModel.exists({ _id: personId }))) {
      if (values.name === undefined || values.email === undefined)
        throw new UsageError(`Chưa có cán bộ mã «${personId}»: thêm --name và --email để tạo cán bộ này.`);
      await saveOrg(models, {
        bodies: [],
        people: [{ id: personId, name: values.name, email: values.email }],
        assignments: [],
        delegations: [],
      });
    }
    const user = await createUser(deps, null, { username, password: secret, personId, isAdmin: true });
    console.log(`Đã tạo quản trị viên ${user.username} (cán bộ ${user.personId}).`);
    return 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (
      e instanceof UsageError ||
      e instanceof ConfigError ||
      (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
    ) {
      console.error(e instanceof Error ? e.message : e);
      process.exitCode = 2;
    } else if (e instanceof ServiceError) {
      console.error(`${e.messageVi} [${e.code}]`);
      process.exitCode = 5;
    } else {
      console.error(`Không tạo được quản trị viên: ${(e as Error).message ?? e}`);
      process.exitCode = 1;
    }
  }
);
