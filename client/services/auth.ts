/**
 * Users, sessions and API tokens. Passwords are hashed with argon2id; session ids and API tokens are
 * random, handed out once and stored only as sha256 hashes. Failed sign-ins are slowed down per
 * (username, address): after a few failures the next attempt must wait, doubling each time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';
import type { Model } from 'mongoose';
import type { ApiTokenDoc, LoginFailureDoc, UserDoc } from '../../activities/store/users';
import { isDuplicateKey, notFound, requireAdmin, ServiceError, type Actor, type ServiceDeps } from './context';

export const SESSION_TTL_MS = 12 * 3600_000;
export const API_TOKEN_PREFIX = 'cf_';

export interface UserView {
  username: string;
  personId: string;
  personName?: string;
  isAdmin: boolean;
  isInspector: boolean;
  active: boolean;
}

export interface NewUser {
  username: string;
  password: string;
  personId: string;
  isAdmin?: boolean;
  isInspector?: boolean;
}

export interface SessionGrant {
  /** The opaque value of the session cookie; only its hash is stored. */
  sessionId: string;
  csrfToken: string;
  expiresAt: number;
  user: UserView;
}

export interface ApiTokenView {
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt?: number;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const random = (bytes: number): string => randomBytes(bytes).toString('base64url');
const normalise = (username: string): string => username.trim().toLowerCase();

export function toActor(u: Pick<UserDoc, 'username' | 'personId' | 'isAdmin' | 'isInspector'>): Actor {
  return { username: u.username, personId: u.personId, isAdmin: u.isAdmin, isInspector: u.isInspector };
}

async function viewOf(deps: ServiceDeps, u: UserDoc): Promise<UserView> {
  const person = await deps.models.PersonModel.findById(u.personId).lean();
  return {
    username: u.username,
    personId: u.personId,
    personName: person?.name,
    isAdmin: u.isAdmin,
    isInspector: u.isInspector,
    active: u.active,
  };
}

function checkPassword(password: string): void {
  if (password.length < 10) throw new ServiceError(422, 'WEAK_PASSWORD', 'Mật khẩu phải có ít nhất 10 ký tự.');
}

/** Creates a user (administrators, or the bootstrap with `actor` null). The person must exist in the tree. */
export async function createUser(deps: ServiceDeps, actor: Actor | null, input: NewUser): Promise<UserView> {
  if (actor) requireAdmin(actor);
  checkPassword(input.password);
  if (input.isAdmin && input.isInspector)
    throw new ServiceError(
      422,
      'INVALID_ROLES',
      'Một tài khoản không thể vừa là quản trị viên vừa là tài khoản kiểm tra.'
    );
  if (!(await deps.models.PersonModel.exists({ _id: input.personId })))
    throw new ServiceError(422, 'UNKNOWN_PERSON', `Không có cán bộ mã «${input.personId}» trong danh sách.`);
  const username = normalise(input.username);
  const doc: UserDoc = {
    _id: username,
    username,
    passwordHash: await argonHash(input.password),
    personId: input.personId,
    isAdmin: input.isAdmin ?? false,
    isInspector: input.isInspector ?? false,
    active: true,
    createdAt: deps.now(),
  };
  try {
    await deps.models.User.create(doc);
  } catch (e) {
    if (isDuplicateKey(e)) throw new ServiceError(409, 'USER_EXISTS', `Tên đăng nhập «${username}» đã có.`);
    throw e;
  }
  return viewOf(deps, doc);
}

export async function listUsers(deps: ServiceDeps, actor: Actor): Promise<UserView[]> {
  requireAdmin(actor);
  const users = await deps.models.User.find().sort({ _id: 1 }).lean<UserDoc[]>();
  return Promise.all(users.map((u) => viewOf(deps, u)));
}

/** Administrators change a user's flags or password; deactivating ends their sessions and tokens. */
export async function updateUser(
  deps: ServiceDeps,
  actor: Actor,
  username: string,
  patch: { active?: boolean; isAdmin?: boolean; isInspector?: boolean; password?: string }
): Promise<UserView> {
  requireAdmin(actor);
  const user = await deps.models.User.findById(normalise(username)).lean<UserDoc>();
  if (!user) throw notFound(`tài khoản «${username}»`);
  const set: Partial<UserDoc> = {};
  if (patch.active !== undefined) set.active = patch.active;
  if (patch.isAdmin !== undefined) set.isAdmin = patch.isAdmin;
  if (patch.isInspector !== undefined) set.isInspector = patch.isInspector;
  if (patch.password !== undefined) {
    checkPassword(patch.password);
    set.passwordHash = await argonHash(patch.password);
  }
  const next = { ...user, ...set };
  if (next.isAdmin && next.isInspector)
    throw new ServiceError(
      422,
      'INVALID_ROLES',
      'Một tài khoản không thể vừa là quản trị viên vừa là tài khoản kiểm tra.'
    );
  await deps.models.User.updateOne({ _id: user._id }, { $set: set });
  // The user's tokens are read again on their next use: deactivated, or with other roles.
  distrust(deps, (t) => t.actor.username === user._id);
  if (set.active === false || set.passwordHash) {
    await deps.models.Session.deleteMany({ username: user._id });
    if (set.active === false) await deps.models.ApiToken.deleteMany({ username: user._id });
  }
  return viewOf(deps, next);
}

/**
 * Per (username, address): failures in a row and when the next attempt is allowed, in MongoDB (login_failures),
 * so the API and the web form, every API process and a restarted one all count the same failures. After
 * `freeAttempts` failures each further one doubles the wait, up to `maxDelayMs`; a success forgets the pair,
 * and so does a day without a failure.
 */
export class LoginThrottle {
  private lastPurge = 0;
  constructor(
    private readonly model: Model<LoginFailureDoc>,
    private readonly freeAttempts = 3,
    private readonly baseDelayMs = 1000,
    private readonly maxDelayMs = 15 * 60_000,
    private readonly forgetAfterMs = 24 * 3600_000
  ) {}

  private static id(key: string): string {
    return createHash('sha256').update(key).digest('hex');
  }

  /** Milliseconds to wait before this key may try again (0: now). */
  async waitFor(key: string, now: number): Promise<number> {
    const f = await this.model.findById(LoginThrottle.id(key)).lean<LoginFailureDoc>();
    return f && now - f.lastAt < this.forgetAfterMs ? Math.max(0, f.until - now) : 0;
  }

  async fail(key: string, now: number): Promise<void> {
    const _id = LoginThrottle.id(key);
    // A pair that failed last more than a day ago starts again from its free attempts.
    await this.model.deleteOne({ _id, lastAt: { $lt: now - this.forgetAfterMs } });
    const f = await this.model
      .findOneAndUpdate(
        { _id },
        { $inc: { count: 1 }, $max: { lastAt: now }, $setOnInsert: { until: 0 } },
        { upsert: true, returnDocument: 'after' }
      )
      .lean<LoginFailureDoc>();
    const over = (f?.count ?? 1) - this.freeAttempts;
    const delay = over < 0 ? 0 : Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** over);
    if (delay > 0) await this.model.updateOne({ _id }, { $max: { until: now + delay } });
    if (now - this.lastPurge > 3600_000) {
      // The records of pairs forgotten anyway, at most hourly: a spray of names leaves nothing behind for long.
      this.lastPurge = now;
      await this.model.deleteMany({ lastAt: { $lt: now - this.forgetAfterMs } });
    }
  }

  async succeed(key: string): Promise<void> {
    await this.model.deleteOne({ _id: LoginThrottle.id(key) });
  }
}

// A fixed hash to verify against when the user does not exist, so the answer takes as long either way.
let dummyHash: Promise<string> | undefined;

/**
 * Checks a username and password. Throws 429 TOO_MANY_ATTEMPTS while the (username, address) must wait,
 * 401 BAD_CREDENTIALS otherwise when they do not match an active user.
 */
export async function authenticate(
  deps: ServiceDeps,
  throttle: LoginThrottle,
  input: { username: string; password: string; ip: string }
): Promise<UserDoc> {
  const username = normalise(input.username);
  const key = `${username}|${input.ip}`;
  const wait = await throttle.waitFor(key, deps.now());
  if (wait > 0)
    throw new ServiceError(
      429,
      'TOO_MANY_ATTEMPTS',
      `Đăng nhập sai nhiều lần; vui lòng thử lại sau ${Math.ceil(wait / 1000)} giây.`,
      { retryAfterSeconds: Math.ceil(wait / 1000) }
    );
  const user = await deps.models.User.findById(username).lean<UserDoc>();
  dummyHash ??= argonHash('cadreflow-no-such-user');
  const ok = user
    ? await argonVerify(user.passwordHash, input.password)
    : await argonVerify(await dummyHash, input.password).then(() => false);
  if (!user || !ok || !user.active) {
    await throttle.fail(key, deps.now());
    throw new ServiceError(401, 'BAD_CREDENTIALS', 'Tên đăng nhập hoặc mật khẩu không đúng.');
  }
  await throttle.succeed(key);
  return user;
}

export async function createSession(deps: ServiceDeps, user: UserDoc): Promise<SessionGrant> {
  const sessionId = random(32);
  const csrfToken = random(32);
  const now = deps.now();
  const expiresAt = now + SESSION_TTL_MS;
  await deps.models.Session.create({
    _id: sha256(sessionId),
    username: user._id,
    csrfToken,
    createdAt: now,
    expiresAt,
  });
  return { sessionId, csrfToken, expiresAt, user: await viewOf(deps, user) };
}

/** The user and CSRF token of a live session, or null (unknown, expired — then deleted — or user inactive). */
export async function resolveSession(
  deps: ServiceDeps,
  sessionId: string
): Promise<{ actor: Actor; csrfToken: string } | null> {
  const id = sha256(sessionId);
  const session = await deps.models.Session.findById(id).lean();
  if (!session) return null;
  if (session.expiresAt <= deps.now()) {
    // FerretDB has no TTL index: an expired session is removed when it is next seen.
    await deps.models.Session.deleteOne({ _id: id });
    return null;
  }
  const user = await deps.models.User.findById(session.username).lean<UserDoc>();
  if (!user?.active) return null;
  return { actor: toActor(user), csrfToken: session.csrfToken };
}

export async function endSession(deps: ServiceDeps, sessionId: string): Promise<void> {
  await deps.models.Session.deleteOne({ _id: sha256(sessionId) });
}

/** Compares a presented CSRF token with the session's in constant time. */
export function csrfMatches(expected: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function me(deps: ServiceDeps, actor: Actor): Promise<UserView> {
  const user = await deps.models.User.findById(actor.username).lean<UserDoc>();
  if (!user) throw notFound('tài khoản');
  return viewOf(deps, user);
}

/** How stale a token's "last used" may be: it is written at most once in this time. */
export const TOKEN_USE_RESOLUTION_MS = 60_000;

/** A new API token for the actor: `{ id, token }`, the token shown only now. */
export async function createApiToken(
  deps: ServiceDeps,
  actor: Actor,
  name: string
): Promise<{ id: string; name: string; token: string }> {
  const id = random(9);
  const token = `${API_TOKEN_PREFIX}${random(32)}`;
  const doc: ApiTokenDoc = { _id: id, username: actor.username, name, tokenHash: sha256(token), createdAt: deps.now() };
  await deps.models.ApiToken.create(doc);
  return { id, name, token };
}

/**
 * How long an API process trusts what it read of a token and its user. A client acting many times a second with
 * one token had each request read the token and its user, the only reads of MongoDB an act cost the API.
 * A revocation, a deactivation or a change of roles made through this process takes effect at once (its entries
 * are dropped); made through another API process, within this time.
 */
export const TOKEN_TRUST_MS = 5_000;
/** How many tokens an API process trusts at once (the oldest given up first). */
const TRUSTED_TOKENS_LIMIT = 10_000;

interface TrustedToken {
  actor: Actor;
  tokenId: string;
  until: number;
}

/** Per database, as `processOf` keeps its processes: by the token's hash. */
const trustedTokens = new WeakMap<ServiceDeps['models'], Map<string, TrustedToken>>();

function trusted(deps: ServiceDeps): Map<string, TrustedToken> {
  let kept = trustedTokens.get(deps.models);
  if (!kept) trustedTokens.set(deps.models, (kept = new Map<string, TrustedToken>()));
  return kept;
}

/** Forgets the tokens this process trusts that `drop` names: their next use reads them again. */
function distrust(deps: ServiceDeps, drop: (t: TrustedToken) => boolean): void {
  const kept = trusted(deps);
  for (const [hash, t] of kept) if (drop(t)) kept.delete(hash);
}

export async function resolveApiToken(deps: ServiceDeps, token: string): Promise<Actor | null> {
  if (!token.startsWith(API_TOKEN_PREFIX)) return null;
  const tokenHash = sha256(token);
  const kept = trusted(deps);
  const now = deps.now();
  const known = kept.get(tokenHash);
  if (known && now < known.until) return known.actor;
  kept.delete(tokenHash);
  const doc = await deps.models.ApiToken.findOne({ tokenHash }).lean<ApiTokenDoc>();
  if (!doc) return null;
  const user = await deps.models.User.findById(doc.username).lean<UserDoc>();
  if (!user?.active) return null;
  // "Last used" to the minute: a script calling many times a second would otherwise write the token on every
  // call, all of them one row.
  if (doc.lastUsedAt === undefined || now - doc.lastUsedAt >= TOKEN_USE_RESOLUTION_MS)
    await deps.models.ApiToken.updateOne({ _id: doc._id }, { $set: { lastUsedAt: now } });
  const actor = toActor(user);
  if (kept.size >= TRUSTED_TOKENS_LIMIT) kept.delete(kept.keys().next().value as string);
  kept.set(tokenHash, { actor, tokenId: doc._id, until: now + TOKEN_TRUST_MS });
  return actor;
}

export async function listApiTokens(deps: ServiceDeps, actor: Actor): Promise<ApiTokenView[]> {
  const docs = await deps.models.ApiToken.find({ username: actor.username })
    .sort({ createdAt: 1 })
    .lean<ApiTokenDoc[]>();
  return docs.map((d) => ({
    id: d._id,
    name: d.name,
    createdAt: d.createdAt,
    ...(d.lastUsedAt !== undefined ? { lastUsedAt: d.lastUsedAt } : {}),
  }));
}

export async function revokeApiToken(deps: ServiceDeps, actor: Actor, id: string): Promise<void> {
  const r = await deps.models.ApiToken.deleteOne({ _id: id, username: actor.username });
  if (r.deletedCount === 0) throw notFound('mã truy cập');
  distrust(deps, (t) => t.tokenId === id);
}
