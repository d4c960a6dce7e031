/**
 * The shared vocabulary of cadreflow's rules. Everything here is plain JSON-able data (no Date, Map or
 * class instances) so that it can travel in Temporal payloads and be stored in MongoDB unchanged.
 *
 * Dates of the Vietnamese calendar are `IsoDate` strings ('YYYY-MM-DD', read in Asia/Ho_Chi_Minh);
 * instants are epoch milliseconds. domain/ never reads the clock: `now` is always an argument.
 */

/** A calendar date in Vietnam (Asia/Ho_Chi_Minh, UTC+7, no daylight saving): 'YYYY-MM-DD'. */
export type IsoDate = string;

/** An instant: milliseconds since the Unix epoch. */
export type EpochMs = number;

/** Where a rule comes from, from when it applies, and whether it was checked against the official text. */
export interface LegalBasis {
  /** The citation as people write it, e.g. 'Hướng dẫn 12-HD/BTCTW (2022), mục 3.4'. */
  citation: string;
  /** Where the text can be read (address or document number), when known. */
  source?: string;
  /** The first day on which the rule applies. */
  effectiveFrom: IsoDate;
  /** False when the rule was not found in an official text: an administrator may change it. */
  confirmed: boolean;
  note?: string;
}

/** A length of time as the regulations state it. `duration` is ISO 8601 (for a province's own chains and tests). */
export type Period =
  | { unit: 'workingDays'; n: number }
  | { unit: 'calendarDays'; n: number }
  | { unit: 'calendarMonths'; n: number }
  | { unit: 'duration'; iso: string };

/** The event from which a deadline is counted. */
export type DeadlineAnchor =
  /** the moment the step opened (became actionable) */
  | { event: 'stepOpened' }
  /** the moment an earlier step of the same case was completed, e.g. C11 counts from C8 */
  | { event: 'stepCompleted'; step: string };

export interface DeadlineRule {
  period: Period;
  from: DeadlineAnchor;
  /** The longest extension the rule allows (e.g. +30 working days for C11); absent = no extension. */
  maxExtension?: Period;
  basis: LegalBasis;
}

/** A fraction compared with `>=` or `>`: ≥ 2/3 is { op: '>=', num: 2, den: 3 }. */
export interface Threshold {
  op: '>=' | '>';
  num: number;
  den: number;
}

/** Who the base of a vote is. */
export type VoteBase =
  /** official party members of the cell (đảng viên chính thức) */
  | 'officialMembers'
  /** members of the committee (cấp ủy viên) */
  | 'committeeMembers'
  /** those convened to the conference (số được triệu tập) */
  | 'convened';

export interface VoteRule {
  base: VoteBase;
  /** Codes of the exclusions from the base the regulation allows (e.g. 'exemptFromActivities', 'suspended'). */
  baseExclusions?: string[];
  /** The share of the base that must approve. Approvals are counted, not ballots returned. */
  threshold: Threshold;
  /** The share of the base that must be present for the vote to be valid. */
  quorum?: Threshold;
  /** After this many failed rounds the case goes to `escalateTo` (3 for admission). */
  maxRounds?: number;
  basis: LegalBasis;
}

/** A tally of one round. `base` is the size of the base after the exclusions. */
export interface VoteTally {
  base: number;
  present: number;
  approve: number;
  reject: number;
  abstain: number;
}

export interface Ballot {
  voterId: string;
  choice: 'approve' | 'reject' | 'abstain';
}

/** The levels of the escalation ladder (DOMAIN.md §8). */
export type LadderLevel = 'reminder' | 'due' | 'escalation' | 'obstacle';

/** Who receives the message of a ladder level. */
export type LadderAudience =
  /** the people who must act on the step */
  | 'actor'
  /** the actor and the Organization Board of the superior committee */
  | 'actorAndSuperiorOrgBoard'
  /** Thường trực Tỉnh ủy (the provincial standing committee) */
  | 'provincialStanding';

export interface LadderConfig {
  /** Reminder to the actor this long before the due date (absent = no reminder). */
  reminderBefore?: Period;
  /** Notice to the actor and the superior's Organization Board when the due date passes. */
  noticeAtDue: boolean;
  /** Escalation to Thường trực Tỉnh ủy this long after the due date. */
  escalateAfter?: Period;
  /** The escalation is repeated at this interval until the step moves... */
  repeatEvery?: Period;
  /** ...at most this many times in all (the first escalation counts as round 1). */
  maxRounds: number;
}

/** One scheduled rung of the ladder: sent exactly once per (case, step, level, round). */
export interface LadderAction {
  level: LadderLevel;
  round: number;
  at: EpochMs;
  audience: LadderAudience;
}

/** Kinds of bodies in the organisation tree. Levels are data: any depth, any kind under any kind. */
export type BodyKind =
  | 'provincialCommittee' // Tỉnh ủy
  | 'committee' // đảng ủy trực thuộc Tỉnh ủy (commune, ward, agency bloc)
  | 'grassrootsCommittee' // đảng ủy cơ sở
  | 'cell' // chi bộ
  | 'executiveCommittee' // Ban Chấp hành
  | 'standingBoard' // Ban Thường vụ
  | 'standing' // Thường trực
  | 'organizationBoard' // Ban Tổ chức
  | 'inspectionCommittee' // Ủy ban Kiểm tra
  | 'politicalCentre' // Trung tâm chính trị
  | 'youthUnion' // Đoàn Thanh niên
  | 'other';

export type RoleCode =
  | 'secretary' // bí thư
  | 'deputySecretary' // phó bí thư
  | 'standingMember' // ủy viên ban thường vụ
  | 'committeeMember' // cấp ủy viên
  | 'head' // trưởng ban, chủ nhiệm
  | 'deputyHead' // phó trưởng ban
  | 'specialist' // chuyên viên
  | 'officialMember' // đảng viên chính thức
  | 'probationaryMember' // đảng viên dự bị
  | 'applicant'; // người vào Đảng

/**
 * Which body acts on a step, relative to the case: start at the case's unit (or the province), go up
 * `up` parents among the party committees, then take the inner body of kind `inner` (e.g. the standing
 * board of the superior committee is { anchor: 'caseUnit', up: 2, inner: 'standingBoard' } for a cell).
 */
export interface BodyRef {
  anchor: 'caseUnit' | 'province';
  up?: number;
  inner?: BodyKind;
}

/** Who may act on a step: people holding one of `roles` in the body `body` resolves to. */
export interface ActorSpec {
  body: BodyRef;
  roles: RoleCode[];
  /** Vietnamese label of the actor for people, e.g. 'Ban Thường vụ cấp ủy cấp trên'. */
  label: string;
}

/**
 * The working-day calendar as the rest of the domain sees it (implemented in domain/calendar). All
 * day-based periods follow the Civil Code 2015 Art. 147–148: the start day is excluded, the period ends at
 * the end of its last day (23:59:59.999 in Vietnam), rolled to the end of the next working day when that
 * day is off (for working-day and calendar-day/month periods alike).
 */
export interface WorkingCalendar {
  isWorkingDay(date: IsoDate): boolean;
  /** When `period` counted from the instant `from` ends. */
  addPeriod(from: EpochMs, period: Period): EpochMs;
  /** The instant `n` working days before the working day that holds `at` (same time of day), for reminders. */
  workingDaysBefore(at: EpochMs, n: number): EpochMs;
  /** Working days after `from` up to and including `to` (0 when `to` <= `from`). */
  workingDaysBetween(from: IsoDate, to: IsoDate): number;
}
