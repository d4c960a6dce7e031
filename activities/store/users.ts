/**
 * The API's own records: users and their sign-in material (sessions, API tokens), and what administrators
 * edit through the API (process versions, yearly working-day schedules). Same FerretDB limits as the case
 * record: no TTL index, so a session's expiry is checked when it is read; secrets are stored only as hashes.
 */
import { Schema, type Connection, type Model } from 'mongoose';

/** `_id` = the username (lower case). */
export interface UserDoc {
  _id: string;
  username: string;
  /** argon2id, PHC string. */
  passwordHash: string;
  /** The Person of the organisation tree this user is: roles come from the tree on the date. */
  personId: string;
  isAdmin: boolean;
  isInspector: boolean;
  active: boolean;
  createdAt: number;
}

/** `_id` = sha256 of the opaque session id held in the cookie: a stolen database gives no live session. */
export interface SessionDoc {
  _id: string;
  username: string;
  /** Sent back by the browser in `x-csrf-token` on every state-changing request. */
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
}

/** `_id` = the token's public id; the token itself is shown once and stored as its sha256 hash. */
export interface ApiTokenDoc {
  _id: string;
  username: string;
  name: string;
  tokenHash: string;
  createdAt: number;
  lastUsedAt?: number;
}

/** An administrator's version of a process (`_id` = `key|version`, unique: two concurrent edits cannot both win). */
export interface ProcessVersionDoc {
  _id: string;
  key: string;
  version: number;
  effectiveFrom: string;
  definition: Record<string, unknown>;
  createdBy: string;
  createdAt: number;
}

/** The official working-day schedule of a year kept by an administrator (`_id` = the year as a string). */
export interface CalendarYearDoc {
  _id: string;
  year: number;
  schedule: Record<string, unknown>;
  updatedBy: string;
  updatedAt: number;
}

/**
 * Failed sign-ins in a row of one (username, address) (`_id` = sha256 of the pair, so no address is stored):
 * shared by every API process and by the API and the web form, and kept across restarts.
 */
export interface LoginFailureDoc {
  _id: string;
  count: number;
  /** No attempt of this pair is checked before this instant. */
  until: number;
  lastAt: number;
}

export interface UserModels {
  User: Model<UserDoc>;
  Session: Model<SessionDoc>;
  ApiToken: Model<ApiTokenDoc>;
  ProcessVersion: Model<ProcessVersionDoc>;
  CalendarYear: Model<CalendarYearDoc>;
  LoginFailure: Model<LoginFailureDoc>;
}

const userSchema = new Schema<UserDoc>(
  {
    _id: { type: String, required: true },
    username: { type: String, required: true },
    passwordHash: { type: String, required: true },
    personId: { type: String, required: true, index: true },
    isAdmin: { type: Boolean, required: true },
    isInspector: { type: Boolean, required: true },
    active: { type: Boolean, required: true },
    createdAt: { type: Number, required: true },
  },
  { collection: 'users', versionKey: false, id: false }
);

const sessionSchema = new Schema<SessionDoc>(
  {
    _id: { type: String, required: true },
    username: { type: String, required: true, index: true },
    csrfToken: { type: String, required: true },
    createdAt: { type: Number, required: true },
    expiresAt: { type: Number, required: true, index: true },
  },
  { collection: 'sessions', versionKey: false, id: false }
);

const apiTokenSchema = new Schema<ApiTokenDoc>(
  {
    _id: { type: String, required: true },
    username: { type: String, required: true, index: true },
    name: { type: String, required: true },
    tokenHash: { type: String, required: true, unique: true },
    createdAt: { type: Number, required: true },
    lastUsedAt: Number,
  },
  { collection: 'api_tokens', versionKey: false, id: false }
);

const loginFailureSchema = new Schema<LoginFailureDoc>(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true },
    until: { type: Number, required: true },
    lastAt: { type: Number, required: true, index: true },
  },
  { collection: 'login_failures', versionKey: false, id: false }
);

const processVersionSchema = new Schema<ProcessVersionDoc>(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true, index: true },
    version: { type: Number, required: true },
    effectiveFrom: { type: String, required: true },
    definition: { type: Schema.Types.Mixed, required: true },
    createdBy: { type: String, required: true },
    createdAt: { type: Number, required: true },
  },
  { collection: 'process_versions', versionKey: false, id: false, minimize: false }
);

const calendarYearSchema = new Schema<CalendarYearDoc>(
  {
    _id: { type: String, required: true },
    year: { type: Number, required: true },
    schedule: { type: Schema.Types.Mixed, required: true },
    updatedBy: { type: String, required: true },
    updatedAt: { type: Number, required: true },
  },
  { collection: 'calendar_years', versionKey: false, id: false, minimize: false }
);

export function createUserModels(conn: Connection): UserModels {
  const model = <T>(name: string, schema: Schema<T>): Model<T> =>
    (conn.models[name] as Model<T> | undefined) ?? conn.model<T>(name, schema);
  return {
    User: model('User', userSchema),
    Session: model('Session', sessionSchema),
    ApiToken: model('ApiToken', apiTokenSchema),
    ProcessVersion: model('ProcessVersion', processVersionSchema),
    CalendarYear: model('CalendarYear', calendarYearSchema),
    LoginFailure: model('LoginFailure', loginFailureSchema),
  };
}
