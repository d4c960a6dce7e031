/**
 * The organisation tree (DOMAIN.md §1): bodies of any depth and kind, the people holding roles in them,
 * and delegations (ủy quyền), all with effective dates, because the tree changes: since 1/7/2025 there is
 * no district level and the commune committees sit directly under the province (Quy định 294-QĐ/TW).
 *
 * Conventions:
 *   - every date range is inclusive: `validTo`/`to` is the last day in force; an absent end is open;
 *   - a body keeps its id when it changes: it is recorded as several versions (OrgBody records with the
 *     same id and non-overlapping ranges), e.g. a commune committee re-parented under the province;
 *   - the inner bodies of a committee (Ban Chấp hành, Ban Thường vụ, Thường trực, Ban Tổ chức, Ủy ban
 *     Kiểm tra, ...) are its children with their own kind; roles are held in the body that acts, e.g. the
 *     secretary of a commune committee holds 'secretary' in its 'standingBoard' body;
 *   - the tree is read on a date: a case keeps the authority that was competent when it started, so the
 *     acting body is resolved on the case's start date while roles and delegations are read on the day of
 *     the act.
 * Call validateOrg once when a snapshot is loaded; the other functions assume a valid snapshot.
 */
import { domainError, type DomainError } from './errors';
import type { ActorSpec, BodyKind, BodyRef, IsoDate, LadderAudience, RoleCode } from './types';

export interface OrgBody {
  id: string;
  name: string;
  kind: BodyKind;
  parentId?: string;
  validFrom: IsoDate;
  /** The last day in force (inclusive); absent = still in force. */
  validTo?: IsoDate;
  /** The body's own mailbox (văn phòng), copied on its notifications. */
  email?: string;
}

export interface Person {
  id: string;
  name: string;
  email: string;
}

export interface RoleAssignment {
  personId: string;
  bodyId: string;
  role: RoleCode;
  from: IsoDate;
  /** The last day in the role (inclusive); absent = still in it. */
  to?: IsoDate;
}

/**
 * Ủy quyền: `toPersonId` may act on behalf of `fromPersonId` from `from` to `to` (inclusive), only for
 * the roles `fromPersonId` holds directly (a delegate cannot delegate again), optionally only in one
 * body and only on some steps.
 */
export interface Delegation {
  id: string;
  fromPersonId: string;
  toPersonId: string;
  bodyId?: string;
  from: IsoDate;
  to: IsoDate;
  stepIds?: string[];
}

export interface OrgSnapshot {
  bodies: OrgBody[];
  people: Person[];
  assignments: RoleAssignment[];
  delegations: Delegation[];
}

export interface MayActInput {
  actor: ActorSpec;
  caseUnitId: string;
  personId: string;
  /** The day of the act: roles and delegations are read on it. */
  onDate: IsoDate;
  /** The day the case started: the acting body is resolved on it (default: onDate). */
  caseStartedOn?: IsoDate;
  stepId?: string;
}

export type MayActResult =
  { allowed: true; bodyId: string; role: RoleCode; onBehalfOf?: string } | { allowed: false; error: DomainError };

/** The step whose actors, superior Organization Board or provincial standing committee are written to. */
export type RecipientContext = Omit<MayActInput, 'personId'>;

export interface Recipient {
  email: string;
  name: string;
  /** Absent for a body's own mailbox. */
  personId?: string;
}

/** The kinds that are party organisations; every other kind is a body inside one of them. */
const PARTY_ORGANISATION_KINDS: ReadonlySet<BodyKind> = new Set<BodyKind>([
  'provincialCommittee',
  'committee',
  'grassrootsCommittee',
  'cell',
]);

/** Inner bodies a committee has at most one of at a time. */
const SINGLE_INNER_KINDS: ReadonlySet<BodyKind> = new Set<BodyKind>([
  'executiveCommittee',
  'standingBoard',
  'standing',
  'organizationBoard',
  'inspectionCommittee',
]);

export const BODY_KIND_LABEL_VI: Record<BodyKind, string> = {
  provincialCommittee: 'Tỉnh ủy',
  committee: 'Đảng ủy trực thuộc Tỉnh ủy',
  grassrootsCommittee: 'Đảng ủy cơ sở',
  cell: 'Chi bộ',
  executiveCommittee: 'Ban Chấp hành',
  standingBoard: 'Ban Thường vụ',
  standing: 'Thường trực',
  organizationBoard: 'Ban Tổ chức',
  inspectionCommittee: 'Ủy ban Kiểm tra',
  politicalCentre: 'Trung tâm Chính trị',
  youthUnion: 'Đoàn Thanh niên',
  other: 'cơ quan khác',
};

export const ROLE_LABEL_VI: Record<RoleCode, string> = {
  secretary: 'bí thư',
  deputySecretary: 'phó bí thư',
  standingMember: 'ủy viên Ban Thường vụ',
  committeeMember: 'cấp ủy viên',
  head: 'trưởng ban',
  deputyHead: 'phó trưởng ban',
  specialist: 'chuyên viên',
  officialMember: 'đảng viên chính thức',
  probationaryMember: 'đảng viên dự bị',
  applicant: 'người vào Đảng',
};

/** Who receives the Organization Board's copy: its leaders, not every specialist. */
const ORG_BOARD_ROLES: RoleCode[] = ['head', 'deputyHead'];

export function isPartyOrganisation(kind: BodyKind): boolean {
  return PARTY_ORGANISATION_KINDS.has(kind);
}

// ---------------------------------------------------------------------------------------------------
// IsoDate helpers, in plain integer arithmetic (domain/ never uses Date).
// ---------------------------------------------------------------------------------------------------

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [year, month, day] = value.split('-').map(Number) as [number, number, number];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function nextDay(date: IsoDate): IsoDate {
  let [year, month, day] = date.split('-').map(Number) as [number, number, number];
  day += 1;
  if (day > daysInMonth(year, month)) {
    day = 1;
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** 'YYYY-MM-DD' → 'DD/MM/YYYY', as dates are written in Vietnamese. */
function dateVi(date: IsoDate): string {
  const [year, month, day] = date.split('-');
  return `${day}/${month}/${year}`;
}

function inForce(from: IsoDate, to: IsoDate | undefined, onDate: IsoDate): boolean {
  return from <= onDate && (to === undefined || onDate <= to);
}

function checkDate(date: IsoDate, what: string): void {
  if (!isIsoDate(date)) {
    throw domainError(
      'INVALID_INPUT',
      `${what} ${String(date)} is not a YYYY-MM-DD date`,
      `Ngày «${String(date)}» không hợp lệ.`,
      {
        date,
      }
    );
  }
}

// ---------------------------------------------------------------------------------------------------
// Reading the tree on a date.
// ---------------------------------------------------------------------------------------------------

/** The version of body `id` in force on `onDate`, if any. */
export function bodyOn(org: OrgSnapshot, id: string, onDate: IsoDate): OrgBody | undefined {
  return org.bodies.find((b) => b.id === id && inForce(b.validFrom, b.validTo, onDate));
}

/**
 * The units whose cases a person reads on `onDate` by the roles they hold that day: each body works on the
 * cases of its own part of the tree. A role counts for the party organisation it sits in (the role's body
 * itself when it is a cell or a committee; for an inner body — a standing board, an Organization Board, a
 * political centre — the organisation it belongs to, so the Ban Tổ chức Tỉnh ủy reads the whole province),
 * and that organisation's units are it and every unit under it, across every version of the tree (a case of a
 * unit merged away stays readable to whoever oversaw it). An applicant's role gives none: an applicant reads
 * their own case, not the cell's others. Sorted, without repeats; empty for someone with no role that day. Who
 * reads every case (the Inspection Committee) is the caller's business.
 */
export function readableUnits(org: OrgSnapshot, personId: string, onDate: IsoDate): string[] {
  const bodyIds = org.assignments
    .filter((a) => a.personId === personId && a.role !== 'applicant' && inForce(a.from, a.to, onDate))
    .map((a) => a.bodyId);
  return unitsUnder(org, bodyIds, onDate);
}

/**
 * The units under the party organisations the given bodies belong to (a cell or committee itself; for an
 * inner body, the organisation it sits in), taken on `onDate` where a body is in force that day and in any
 * version otherwise, with every unit under them across every version of the tree. Sorted, without repeats.
 */
export function unitsUnder(org: OrgSnapshot, bodyIds: readonly string[], onDate: IsoDate): string[] {
  const versionOf = (id: string): OrgBody | undefined => bodyOn(org, id, onDate) ?? org.bodies.find((b) => b.id === id);
  const roots = new Set<string>();
  for (const id of bodyIds) {
    let body = versionOf(id);
    for (let hops = 0; body && !isPartyOrganisation(body.kind) && hops < 64; hops++)
      body = body.parentId === undefined ? undefined : versionOf(body.parentId);
    if (body) roots.add(body.id);
  }
  const children = new Map<string, Set<string>>();
  for (const b of org.bodies) {
    if (b.parentId === undefined) continue;
    const set = children.get(b.parentId) ?? new Set<string>();
    set.add(b.id);
    children.set(b.parentId, set);
  }
  const units = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const id = queue.pop() as string;
    if (units.has(id)) continue;
    units.add(id);
    queue.push(...(children.get(id) ?? []));
  }
  return [...units].sort();
}

/** Whether the person holds a role on `onDate` in a body of kind `kind` in force that day. */
export function sitsOn(org: OrgSnapshot, personId: string, kind: BodyKind, onDate: IsoDate): boolean {
  return org.assignments.some(
    (a) => a.personId === personId && inForce(a.from, a.to, onDate) && bodyOn(org, a.bodyId, onDate)?.kind === kind
  );
}

/** The root provincial committee in force on `onDate`. */
function provinceOn(org: OrgSnapshot, onDate: IsoDate): OrgBody {
  const province = org.bodies.find(
    (b) => b.kind === 'provincialCommittee' && b.parentId === undefined && inForce(b.validFrom, b.validTo, onDate)
  );
  if (!province) {
    throw domainError(
      'NOT_FOUND',
      `no provincial committee on ${onDate}`,
      `Không có Tỉnh ủy trong dữ liệu tổ chức vào ngày ${dateVi(onDate)}.`,
      { onDate }
    );
  }
  return province;
}

/** The nearest party organisation strictly above `body` on `onDate`, skipping inner bodies. */
function partyParent(org: OrgSnapshot, body: OrgBody, onDate: IsoDate): OrgBody | undefined {
  let current = body;
  while (current.parentId !== undefined) {
    const parent = bodyOn(org, current.parentId, onDate);
    if (!parent) return undefined;
    if (isPartyOrganisation(parent.kind)) return parent;
    current = parent;
  }
  return undefined;
}

/** The inner body of kind `kind` of `parent` on `onDate`. */
function innerBody(org: OrgSnapshot, parent: OrgBody, kind: BodyKind, onDate: IsoDate): OrgBody | undefined {
  const found = org.bodies.filter(
    (b) => b.parentId === parent.id && b.kind === kind && inForce(b.validFrom, b.validTo, onDate)
  );
  if (found.length > 1) {
    throw domainError(
      'ORG_INVALID',
      `${parent.id} has ${found.length} bodies of kind ${kind} on ${onDate}`,
      `Dữ liệu tổ chức không hợp lệ: ${parent.name} có ${found.length} cơ quan loại ${BODY_KIND_LABEL_VI[kind]} ` +
        `vào ngày ${dateVi(onDate)}.`,
      { parentId: parent.id, kind, onDate }
    );
  }
  return found[0];
}

/**
 * The body a BodyRef designates for a case, as the tree was on `onDate`: start at the case's unit (or at
 * the root provincial committee), go up `up` party organisations (inner bodies are skipped), then take
 * the inner body of kind `inner`. Throws 'INVALID_INPUT' (bad date, a case unit that is not a party
 * organisation), 'DEFINITION_INVALID' (bad `up`) or 'NOT_FOUND' (nothing there on that date).
 */
export function resolveBody(org: OrgSnapshot, ref: BodyRef, caseUnitId: string, onDate: IsoDate): OrgBody {
  checkDate(onDate, 'onDate');
  const up = ref.up ?? 0;
  if (!(Number.isSafeInteger(up) && up >= 0)) {
    throw domainError(
      'DEFINITION_INVALID',
      `BodyRef.up must be a whole number >= 0, got ${up}`,
      `Định nghĩa bước không hợp lệ: số cấp đi lên phải là số nguyên không âm (nhận được ${up}).`,
      { up }
    );
  }

  let current: OrgBody;
  if (ref.anchor === 'province') {
    current = provinceOn(org, onDate);
  } else {
    const unit = bodyOn(org, caseUnitId, onDate);
    if (!unit) {
      throw domainError(
        'NOT_FOUND',
        `case unit ${caseUnitId} not in force on ${onDate}`,
        `Không tìm thấy đơn vị «${caseUnitId}» trong dữ liệu tổ chức vào ngày ${dateVi(onDate)}.`,
        { caseUnitId, onDate }
      );
    }
    if (!isPartyOrganisation(unit.kind)) {
      throw domainError(
        'INVALID_INPUT',
        `case unit ${caseUnitId} is a ${unit.kind}, not a party organisation`,
        `${unit.name} không phải là một tổ chức đảng nên không thể là đơn vị của hồ sơ.`,
        { caseUnitId, kind: unit.kind }
      );
    }
    current = unit;
  }

  for (let level = 1; level <= up; level += 1) {
    const parent = partyParent(org, current, onDate);
    if (!parent) {
      throw domainError(
        'NOT_FOUND',
        `${current.id} has no superior party organisation on ${onDate} (level ${level} of ${up})`,
        `${current.name} không có cấp ủy cấp trên vào ngày ${dateVi(onDate)}.`,
        { bodyId: current.id, level, up, onDate }
      );
    }
    current = parent;
  }

  if (ref.inner === undefined) return current;
  const inner = innerBody(org, current, ref.inner, onDate);
  if (!inner) {
    throw domainError(
      'NOT_FOUND',
      `${current.id} has no ${ref.inner} on ${onDate}`,
      `${current.name} không có ${BODY_KIND_LABEL_VI[ref.inner]} vào ngày ${dateVi(onDate)}.`,
      { bodyId: current.id, inner: ref.inner, onDate }
    );
  }
  return inner;
}

/**
 * The role assignments in force on `onDate` in `bodyId` for one of `roles`, ordered by the order of
 * `roles` (e.g. the secretary before the deputies) and then by person id, so the result is deterministic.
 */
export function holdersOf(
  org: OrgSnapshot,
  bodyId: string,
  roles: readonly RoleCode[],
  onDate: IsoDate
): RoleAssignment[] {
  return org.assignments
    .filter((a) => a.bodyId === bodyId && roles.includes(a.role) && inForce(a.from, a.to, onDate))
    .sort((a, b) => roles.indexOf(a.role) - roles.indexOf(b.role) || compareStrings(a.personId, b.personId));
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function rolesVi(roles: readonly RoleCode[]): string {
  return roles.map((role) => ROLE_LABEL_VI[role]).join(' hoặc ');
}

function personName(org: OrgSnapshot, personId: string): string {
  return org.people.find((p) => p.id === personId)?.name ?? `«${personId}»`;
}

/** Whether a delegation's body and step scope cover this act. */
function delegationCovers(delegation: Delegation, bodyId: string, stepId: string | undefined): boolean {
  const bodyOk = delegation.bodyId === undefined || delegation.bodyId === bodyId;
  const stepOk = delegation.stepIds === undefined || (stepId !== undefined && delegation.stepIds.includes(stepId));
  return bodyOk && stepOk;
}

/**
 * THE authorisation rule: may `personId` act on a step whose actor is `actor`, for a case of
 * `caseUnitId`? Allowed when, on `onDate`, the person holds one of the actor's roles in the acting body,
 * or holds a delegation in force that day (within its body and step scope) from someone who does; the
 * acting body is resolved on `caseStartedOn` (default `onDate`). A refusal carries a 'NOT_AUTHORISED'
 * DomainError saying in Vietnamese who, for which actor, and why. Throws the DomainError of resolveBody
 * when the acting body cannot be resolved: that is a fault of the data, not of the person.
 */
export function mayAct(org: OrgSnapshot, input: MayActInput): MayActResult {
  const { actor, caseUnitId, personId, onDate, stepId } = input;
  checkDate(onDate, 'onDate');
  const body = resolveBody(org, actor.body, caseUnitId, input.caseStartedOn ?? onDate);
  const holders = holdersOf(org, body.id, actor.roles, onDate);

  const own = holders.find((a) => a.personId === personId);
  if (own) return { allowed: true, bodyId: body.id, role: own.role };

  // Why each delegation to this person that concerns this body does not apply, in delegation-id order.
  const reasons: string[] = [];
  const delegations = org.delegations
    .filter((d) => d.toPersonId === personId)
    .sort((a, b) => compareStrings(a.id, b.id));
  for (const delegation of delegations) {
    const delegator = holders.find((a) => a.personId === delegation.fromPersonId);
    const inDates = inForce(delegation.from, delegation.to, onDate);
    const covers = delegationCovers(delegation, body.id, stepId);
    if (delegator && inDates && covers) {
      return { allowed: true, bodyId: body.id, role: delegator.role, onBehalfOf: delegation.fromPersonId };
    }
    // A delegation from someone with no role here, and not tied to this body, is about something else.
    if (!delegator && delegation.bodyId !== body.id) continue;
    const from = `giấy ủy quyền của đồng chí ${personName(org, delegation.fromPersonId)}`;
    if (!inDates) {
      reasons.push(`${from} chỉ có hiệu lực từ ${dateVi(delegation.from)} đến ${dateVi(delegation.to)}`);
    } else if (!covers) {
      reasons.push(`${from} không áp dụng cho bước này`);
    } else {
      reasons.push(`${from} không còn giá trị vì người ủy quyền không giữ chức vụ ${rolesVi(actor.roles)} vào ngày đó`);
    }
  }

  const known = org.people.find((p) => p.id === personId);
  const who = known ? `Đồng chí ${known.name}` : `Người dùng «${personId}» (không có trong danh sách cán bộ)`;
  const gone = bodyOn(org, body.id, onDate) ? '' : ` (${body.name} không còn hoạt động vào ngày đó)`;
  const why = reasons.length > 0 ? `; ${reasons.join('; ')}` : ' và không được ủy quyền';
  const messageVi =
    `${who} không có thẩm quyền thực hiện bước của ${actor.label}: vào ngày ${dateVi(onDate)} ` +
    `không giữ chức vụ ${rolesVi(actor.roles)} trong ${body.name}${gone}${why}.`;
  return {
    allowed: false,
    error: domainError(
      'NOT_AUTHORISED',
      `person ${personId} may not act as ${actor.roles.join('/')} of ${body.id} on ${onDate}`,
      messageVi,
      { personId, bodyId: body.id, roles: actor.roles, onDate, stepId }
    ),
  };
}

// ---------------------------------------------------------------------------------------------------
// Recipients of notifications.
// ---------------------------------------------------------------------------------------------------

function personRecipient(org: OrgSnapshot, personId: string): Recipient[] {
  const person = org.people.find((p) => p.id === personId);
  return person ? [{ email: person.email, name: person.name, personId: person.id }] : [];
}

/** The people holding `roles` in `body` on `onDate` (all roles when absent), then the body's mailbox. */
function bodyRecipients(org: OrgSnapshot, body: OrgBody, onDate: IsoDate, roles?: readonly RoleCode[]): Recipient[] {
  const people = org.assignments
    .filter(
      (a) => a.bodyId === body.id && inForce(a.from, a.to, onDate) && (roles === undefined || roles.includes(a.role))
    )
    .map((a) => a.personId)
    .sort(compareStrings)
    .flatMap((id) => personRecipient(org, id));
  return dedupe([...people, ...(body.email ? [{ email: body.email, name: body.name }] : [])]);
}

/** One entry per address (case-insensitive), keeping the first. */
function dedupe(recipients: readonly Recipient[]): Recipient[] {
  const seen = new Set<string>();
  return recipients.filter((r) => {
    const key = r.email.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The actors of a step: the holders of the actor's roles in the acting body on `onDate`, the people a
 * delegation in force lets act for them on this step, and the acting body's mailbox.
 */
export function actorRecipients(org: OrgSnapshot, ctx: RecipientContext): Recipient[] {
  checkDate(ctx.onDate, 'onDate');
  const body = resolveBody(org, ctx.actor.body, ctx.caseUnitId, ctx.caseStartedOn ?? ctx.onDate);
  const holders = holdersOf(org, body.id, ctx.actor.roles, ctx.onDate).map((a) => a.personId);
  const delegates = org.delegations
    .filter(
      (d) =>
        holders.includes(d.fromPersonId) &&
        inForce(d.from, d.to, ctx.onDate) &&
        delegationCovers(d, body.id, ctx.stepId)
    )
    .map((d) => d.toPersonId)
    .sort(compareStrings);
  return dedupe([
    ...[...holders, ...delegates].flatMap((id) => personRecipient(org, id)),
    ...(body.email ? [{ email: body.email, name: body.name }] : []),
  ]);
}

/**
 * The leaders (head, deputy heads) and mailbox of the Organization Board above the actor: the nearest
 * party organisation strictly above the acting body's own organisation that has an Organization Board
 * (a grassroots committee has none, so a cell's notice goes on up). When the actor is the province itself
 * there is nothing above it, and the province's own Organization Board is used. The tree is read on the
 * case's start date, the people on `onDate`. Throws 'NOT_FOUND' when there is no such board.
 */
export function superiorOrgBoardRecipients(org: OrgSnapshot, ctx: RecipientContext): Recipient[] {
  checkDate(ctx.onDate, 'onDate');
  const treeDate = ctx.caseStartedOn ?? ctx.onDate;
  // The acting body's own party organisation: the BodyRef without its inner body.
  const own = resolveBody(org, { anchor: ctx.actor.body.anchor, up: ctx.actor.body.up }, ctx.caseUnitId, treeDate);
  let candidate = own.kind === 'provincialCommittee' ? own : partyParent(org, own, treeDate);
  while (candidate) {
    const board = innerBody(org, candidate, 'organizationBoard', treeDate);
    if (board) return bodyRecipients(org, board, ctx.onDate, ORG_BOARD_ROLES);
    candidate = partyParent(org, candidate, treeDate);
  }
  throw domainError(
    'NOT_FOUND',
    `no Organization Board above ${own.id} on ${treeDate}`,
    `Không tìm thấy Ban Tổ chức cấp trên của ${own.name} vào ngày ${dateVi(treeDate)}.`,
    { bodyId: own.id, onDate: treeDate }
  );
}

/**
 * Thường trực Tỉnh ủy on `onDate`: everyone holding a role in the province's 'standing' body, then the
 * body's own mailbox. Throws 'NOT_FOUND' when the province has no such body that day.
 */
export function provincialStandingRecipients(org: OrgSnapshot, onDate: IsoDate): Recipient[] {
  checkDate(onDate, 'onDate');
  const standing = resolveBody(org, { anchor: 'province', inner: 'standing' }, '', onDate);
  return bodyRecipients(org, standing, onDate);
}

/** The recipients of a ladder level's message (DOMAIN.md §8), without duplicate addresses. */
export function recipientsFor(org: OrgSnapshot, audience: LadderAudience, ctx: RecipientContext): Recipient[] {
  switch (audience) {
    case 'actor':
      return actorRecipients(org, ctx);
    case 'actorAndSuperiorOrgBoard':
      return dedupe([...actorRecipients(org, ctx), ...superiorOrgBoardRecipients(org, ctx)]);
    case 'provincialStanding':
      return provincialStandingRecipients(org, ctx.onDate);
  }
}

// ---------------------------------------------------------------------------------------------------
// Validation.
// ---------------------------------------------------------------------------------------------------

/**
 * Checks a snapshot and throws one 'ORG_INVALID' DomainError listing every problem found (in Vietnamese,
 * in `details.problems`): bad or reversed dates, overlapping versions of a body, a parent that is unknown
 * or not in force for the whole life of its child, a root that is not a provincial committee, two roots
 * or two inner bodies of the same kind under one committee on the same day, a cycle (a body its own
 * parent included), duplicate or unknown
 * people, roles on unknown bodies, delegations to oneself, on unknown bodies or with an empty step list.
 */
export function validateOrg(org: OrgSnapshot): void {
  const problems: string[] = [];
  const dateProblem = (what: string, from: IsoDate, to: IsoDate | undefined): boolean => {
    for (const date of [from, to]) {
      if (date !== undefined && !isIsoDate(date)) {
        problems.push(`${what}: ngày «${String(date)}» không hợp lệ`);
        return true;
      }
    }
    if (to !== undefined && to < from) {
      problems.push(`${what}: ngày kết thúc ${dateVi(to)} trước ngày bắt đầu ${dateVi(from)}`);
      return true;
    }
    return false;
  };

  // Bodies whose dates are usable; the structural checks below look at these only.
  const versions = new Map<string, OrgBody[]>();
  for (const body of org.bodies) {
    if (dateProblem(`Cơ quan ${body.name} (${body.id})`, body.validFrom, body.validTo)) continue;
    versions.set(body.id, [...(versions.get(body.id) ?? []), body]);
  }
  for (const list of versions.values()) list.sort((a, b) => compareStrings(a.validFrom, b.validFrom));

  for (const [id, list] of versions) {
    list.forEach((body, i) => {
      const previous = list[i - 1];
      if (previous && (previous.validTo === undefined || previous.validTo >= body.validFrom)) {
        problems.push(`Cơ quan ${body.name} (${id}): hai phiên bản cùng hiệu lực từ ngày ${dateVi(body.validFrom)}`);
      }
      if (body.parentId === undefined) {
        if (body.kind !== 'provincialCommittee') {
          problems.push(`Cơ quan ${body.name} (${id}) không thuộc cơ quan cấp trên nào`);
        }
      } else {
        const gap = coverageGap(versions.get(body.parentId) ?? [], body.validFrom, body.validTo);
        if (gap !== undefined) {
          problems.push(
            `Cơ quan ${body.name} (${id}): cơ quan cấp trên «${body.parentId}» không tồn tại vào ngày ${dateVi(gap)}`
          );
        }
      }
    });
  }

  // The tree changes only when a version starts (an end only removes nodes, which cannot create a cycle
  // or a duplicate), so checking it on every start date checks it on every date. Each problem is
  // reported once, on the first date it appears.
  const usable = [...versions.values()].flat();
  const starts = [...new Set(usable.map((b) => b.validFrom))].sort(compareStrings);
  const reported = new Set<string>();
  for (const date of starts) problems.push(...treeProblemsOn(usable, date, reported));

  const peopleIds = new Set<string>();
  for (const person of org.people) {
    if (peopleIds.has(person.id)) problems.push(`Người «${person.id}» được ghi hai lần`);
    peopleIds.add(person.id);
    if (!/^[^@\s]+@[^@\s]+$/.test(person.email)) {
      problems.push(`Đồng chí ${person.name} (${person.id}): địa chỉ thư điện tử «${person.email}» không hợp lệ`);
    }
  }

  for (const a of org.assignments) {
    const what = `Chức vụ ${ROLE_LABEL_VI[a.role]} của «${a.personId}» tại «${a.bodyId}»`;
    dateProblem(what, a.from, a.to);
    if (!peopleIds.has(a.personId)) problems.push(`${what}: không có người này`);
    if (!org.bodies.some((b) => b.id === a.bodyId)) problems.push(`${what}: không có cơ quan này`);
  }

  const delegationIds = new Set<string>();
  for (const d of org.delegations) {
    const what = `Ủy quyền «${d.id}»`;
    if (delegationIds.has(d.id)) problems.push(`${what} được ghi hai lần`);
    delegationIds.add(d.id);
    dateProblem(what, d.from, d.to);
    for (const personId of [d.fromPersonId, d.toPersonId]) {
      if (!peopleIds.has(personId)) problems.push(`${what}: không có người «${personId}»`);
    }
    if (d.fromPersonId === d.toPersonId) problems.push(`${what}: người ủy quyền và người được ủy quyền trùng nhau`);
    if (d.bodyId !== undefined && !org.bodies.some((b) => b.id === d.bodyId)) {
      problems.push(`${what}: không có cơ quan «${d.bodyId}»`);
    }
    if (d.stepIds !== undefined && d.stepIds.length === 0) {
      problems.push(`${what}: danh sách bước được ủy quyền trống`);
    }
  }

  if (problems.length > 0) {
    throw domainError(
      'ORG_INVALID',
      `invalid organisation data: ${problems.length} problem(s)`,
      `Dữ liệu tổ chức không hợp lệ: ${problems.join('; ')}.`,
      { problems }
    );
  }
}

/** The first day of [from, to] (open when `to` is absent) on which no version of `list` is in force. */
function coverageGap(list: readonly OrgBody[], from: IsoDate, to: IsoDate | undefined): IsoDate | undefined {
  let cursor = from;
  for (;;) {
    const version = list.find((v) => inForce(v.validFrom, v.validTo, cursor));
    if (!version) return cursor;
    if (version.validTo === undefined || (to !== undefined && version.validTo >= to)) return undefined;
    cursor = nextDay(version.validTo);
  }
}

/**
 * Cycles, several root provincial committees, and duplicate single inner bodies, on one date. `reported`
 * holds the keys of problems reported on earlier dates, which are not repeated.
 */
function treeProblemsOn(bodies: readonly OrgBody[], onDate: IsoDate, reported: Set<string>): string[] {
  const problems: string[] = [];
  const report = (key: string, problem: string): void => {
    if (!reported.has(key)) problems.push(problem);
    reported.add(key);
  };
  const current = new Map<string, OrgBody>();
  for (const body of bodies) if (inForce(body.validFrom, body.validTo, onDate)) current.set(body.id, body);

  const roots = [...current.values()].filter((b) => b.parentId === undefined && b.kind === 'provincialCommittee');
  if (roots.length > 1) report('roots', `Có ${roots.length} Tỉnh ủy cùng hiệu lực vào ngày ${dateVi(onDate)}`);

  const inner = new Set<string>();
  for (const body of current.values()) {
    if (body.parentId === undefined || !SINGLE_INNER_KINDS.has(body.kind)) continue;
    const key = `${body.parentId}|${body.kind}`;
    if (inner.has(key)) {
      report(
        `inner|${key}`,
        `«${body.parentId}» có hai ${BODY_KIND_LABEL_VI[body.kind]} cùng hiệu lực vào ngày ${dateVi(onDate)}`
      );
    }
    inner.add(key);
  }

  // Walk up from every body; `done` holds bodies already known to reach a root, so each is walked once.
  const done = new Set<string>();
  for (const start of current.keys()) {
    const path = new Set<string>();
    let id: string | undefined = start;
    while (id !== undefined && !done.has(id)) {
      if (path.has(id)) {
        report(`cycle|${id}`, `Vòng lặp cấp trên qua cơ quan «${id}» vào ngày ${dateVi(onDate)}`);
        break;
      }
      path.add(id);
      id = current.get(id)?.parentId;
    }
    for (const visited of path) done.add(visited);
  }
  return problems;
}
