/**
 * The TypeBox schemas of every route's input and output: one source for the validation, the types and the
 * OpenAPI document. Objects refuse unknown fields; strings are strings (a MongoDB operator object such as
 * {"$gt": ""} where a string is expected is refused by validation, before any service runs).
 */
import { Type, type Static, type TSchema } from 'typebox';
import { GROUPS, SECTORS } from '../../domain/quotas/model';

const S = (opts: { minLength?: number; maxLength?: number; pattern?: string; description?: string } = {}) =>
  Type.String({ maxLength: 4000, ...opts });
const strict = <T extends Parameters<typeof Type.Object>[0]>(props: T, description?: string) =>
  Type.Object(props, { additionalProperties: false, ...(description ? { description } : {}) });

export const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
export const Id = S({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._:|\\-]+$' });
export const RequestId = Type.String({
  minLength: 8,
  maxLength: 100,
  pattern: '^[A-Za-z0-9._:-]+$',
  description: 'Mã yêu cầu do máy khách sinh ra: gửi lại cùng mã thì không có gì được thực hiện hai lần.',
});
const Int = (min = 0, max = 1_000_000) => Type.Integer({ minimum: min, maximum: max });

export const ErrorBody = strict(
  {
    code: Type.String(),
    message: Type.String({ description: 'Thông báo tiếng Việt cho người dùng' }),
    details: Type.Optional(Type.Unknown()),
  },
  'Một dạng lỗi duy nhất'
);
/** Every route answers its errors with ErrorBody. */
export const errors = { '4xx': ErrorBody, '5xx': ErrorBody };
export const Ok = strict({ ok: Type.Boolean() });

// ---------------------------------------------------------------------------------------------------
// Auth

export const User = strict({
  username: Type.String(),
  personId: Type.String(),
  personName: Type.Optional(Type.String()),
  isAdmin: Type.Boolean(),
  isInspector: Type.Boolean(),
  active: Type.Boolean(),
});
export const LoginBody = strict({
  username: S({ minLength: 1, maxLength: 100 }),
  password: S({ minLength: 1, maxLength: 200 }),
});
export const LoginReply = strict({ user: User, csrfToken: Type.String() });
export const MeReply = strict({ user: User });
export const NewUserBody = strict({
  username: S({ minLength: 3, maxLength: 60, pattern: '^[A-Za-z0-9._-]+$' }),
  password: S({ minLength: 10, maxLength: 200 }),
  personId: Id,
  isAdmin: Type.Optional(Type.Boolean()),
  isInspector: Type.Optional(Type.Boolean()),
});
export const UserPatch = strict({
  active: Type.Optional(Type.Boolean()),
  isAdmin: Type.Optional(Type.Boolean()),
  isInspector: Type.Optional(Type.Boolean()),
  password: Type.Optional(S({ minLength: 10, maxLength: 200 })),
});
export const UsersReply = strict({ items: Type.Array(User) });
export const TokenBody = strict({ name: S({ minLength: 1, maxLength: 100 }) });
export const NewTokenReply = strict({
  id: Type.String(),
  name: Type.String(),
  token: Type.String({ description: 'Chỉ hiện một lần; lưu lại ngay.' }),
});
export const TokenView = strict({
  id: Type.String(),
  name: Type.String(),
  createdAt: Type.Number(),
  lastUsedAt: Type.Optional(Type.Number()),
});
export const TokensReply = strict({ items: Type.Array(TokenView) });
export const IdParams = strict({ id: Id });

// ---------------------------------------------------------------------------------------------------
// Organisation

const RoleCode = Type.Union([
  Type.Literal('secretary'),
  Type.Literal('deputySecretary'),
  Type.Literal('standingMember'),
  Type.Literal('committeeMember'),
  Type.Literal('head'),
  Type.Literal('deputyHead'),
  Type.Literal('specialist'),
  Type.Literal('officialMember'),
  Type.Literal('probationaryMember'),
  Type.Literal('applicant'),
]);
export const Person = strict({
  id: Id,
  name: S({ minLength: 1, maxLength: 200 }),
  email: S({ minLength: 3, maxLength: 200, pattern: '^[^@\\s]+@[^@\\s]+$' }),
});
export const PersonBody = strict({ name: Person.properties.name, email: Person.properties.email });
export const PeopleReply = strict({ items: Type.Array(Person) });
export const Role = strict({ personId: Id, bodyId: Id, role: RoleCode, from: IsoDate, to: Type.Optional(IsoDate) });
export const RoleView = strict({ id: Type.String(), ...Role.properties });
export const RolesReply = strict({ items: Type.Array(RoleView) });
export const RolesQuery = strict({
  personId: Type.Optional(Id),
  bodyId: Type.Optional(Id),
  onDate: Type.Optional(IsoDate),
});
export const EndRoleBody = strict({ to: IsoDate });
export const Delegation = strict({
  id: Id,
  fromPersonId: Id,
  toPersonId: Id,
  bodyId: Type.Optional(Id),
  from: IsoDate,
  to: IsoDate,
  stepIds: Type.Optional(Type.Array(Id, { maxItems: 50 })),
});
export const DelegationsReply = strict({ items: Type.Array(Delegation) });
export const PersonQuery = strict({ personId: Type.Optional(Id) });
export const DateQuery = strict({ onDate: Type.Optional(IsoDate) });

export interface OrgTreeNodeT {
  id: string;
  name: string;
  kind: string;
  email?: string;
  holders: { personId: string; name: string; role: string }[];
  children: OrgTreeNodeT[];
}
// A recursive node as an open-ended schema reference keeps the OpenAPI document valid without $defs plumbing.
const TreeNode = Type.Unsafe<OrgTreeNodeT>({
  type: 'object',
  description: 'Một tổ chức: id, name, kind, email?, holders[{personId, name, role}], children[] (cùng dạng)',
  required: ['id', 'name', 'kind', 'holders', 'children'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    kind: { type: 'string' },
    email: { type: 'string' },
    holders: {
      type: 'array',
      items: {
        type: 'object',
        required: ['personId', 'name', 'role'],
        properties: { personId: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } },
      },
    },
    children: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
});
export const OrgTreeReply = strict({ onDate: IsoDate, roots: Type.Array(TreeNode) });

// ---------------------------------------------------------------------------------------------------
// Processes and calendar

const OpenObject = Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true });
export const ProcessSummary = strict({
  key: Type.String(),
  titleVi: Type.String(),
  versions: Type.Array(strict({ version: Type.Integer(), effectiveFrom: Type.String(), stored: Type.Boolean() })),
});
export const ProcessesReply = strict({ items: Type.Array(ProcessSummary) });
export const ProcessKeyParams = strict({ key: S({ minLength: 1, maxLength: 100, pattern: '^[a-z][a-z0-9:._-]*$' }) });
export const ProcessReply = strict({ key: Type.String(), versions: Type.Array(OpenObject) });
export const NewVersionBody = strict({
  effectiveFrom: IsoDate,
  changes: strict({
    titleVi: Type.Optional(S({ minLength: 1, maxLength: 300 })),
    basis: Type.Optional(OpenObject),
    ladderBasis: Type.Optional(OpenObject),
    startStep: Type.Optional(Id),
    rules: Type.Optional(OpenObject),
    steps: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9._-]+$' }), OpenObject)),
    removeSteps: Type.Optional(Type.Array(Id)),
    addSteps: Type.Optional(Type.Array(strict({ after: Id, step: OpenObject }))),
  }),
});
export const YearParams = strict({ year: Type.Integer({ minimum: 1900, maximum: 2100 }) });
const Basis = strict({
  citation: S({ minLength: 1 }),
  source: Type.Optional(S()),
  effectiveFrom: IsoDate,
  confirmed: Type.Boolean(),
  note: Type.Optional(S()),
});
export const YearScheduleBody = strict({
  daysOff: Type.Array(IsoDate, { maxItems: 366 }),
  workingDays: Type.Array(IsoDate, { maxItems: 366 }),
  basis: Basis,
});
export const CalendarYear = strict({
  year: Type.Integer(),
  source: Type.Union([Type.Literal('shipped'), Type.Literal('stored')]),
  schedule: strict({ year: Type.Integer(), ...YearScheduleBody.properties }),
});
export const CalendarYearsReply = strict({ items: Type.Array(CalendarYear) });

// ---------------------------------------------------------------------------------------------------
// Cases

const Note = S({ maxLength: 4000 });
const Documents = Type.Array(strict({ code: S({ minLength: 1, maxLength: 100 }), issuedOn: IsoDate }), {
  maxItems: 50,
});
const Tally = strict({ base: Int(), present: Int(), approve: Int(), reject: Int(), abstain: Int() });
const Ballots = strict({
  ballots: Type.Array(
    strict({
      voterId: Id,
      choice: Type.Union([Type.Literal('approve'), Type.Literal('reject'), Type.Literal('abstain')]),
    }),
    { maxItems: 2000 }
  ),
  presentVoterIds: Type.Array(Id, { maxItems: 2000 }),
  base: Int(),
});
const Period = Type.Union([
  strict({ unit: Type.Literal('workingDays'), n: Int(0, 10000) }),
  strict({ unit: Type.Literal('calendarDays'), n: Int(0, 10000) }),
  strict({ unit: Type.Literal('calendarMonths'), n: Int(0, 1200) }),
  strict({ unit: Type.Literal('duration'), iso: S({ minLength: 2, maxLength: 40, pattern: '^P[0-9YMWDTHS.]+$' }) }),
]);
export const Command = Type.Union(
  [
    strict(
      { type: Type.Literal('approve'), note: Type.Optional(Note), documents: Type.Optional(Documents) },
      'Ký / duyệt'
    ),
    strict({ type: Type.Literal('refuse'), reason: Note }, 'Từ chối'),
    strict({ type: Type.Literal('return'), reasonCode: Id, note: Type.Optional(Note) }, 'Trả lại bổ sung'),
    strict(
      { type: Type.Literal('resubmit'), note: Type.Optional(Note), documents: Type.Optional(Documents) },
      'Nộp lại'
    ),
    strict(
      {
        type: Type.Literal('vote'),
        tally: Type.Optional(Tally),
        ballots: Type.Optional(Ballots),
        documents: Type.Optional(Documents),
      },
      'Ghi kết quả biểu quyết'
    ),
    strict(
      {
        type: Type.Literal('appraise'),
        outcome: Type.Union([Type.Literal('recommend'), Type.Literal('refer'), Type.Literal('hold')]),
        note: Type.Optional(Note),
      },
      'Thẩm định'
    ),
    strict({ type: Type.Literal('extend'), reason: Note, period: Period }, 'Gia hạn'),
    strict({ type: Type.Literal('obstacle'), text: Note }, 'Báo cáo vướng mắc'),
    strict({ type: Type.Literal('delegate'), toPersonId: Id, from: IsoDate, to: IsoDate }, 'Ủy quyền'),
    strict({ type: Type.Literal('withdraw'), reason: Note }, 'Rút hồ sơ'),
  ],
  { description: 'Một thao tác trên hồ sơ' }
);
export const ActBody = strict({ requestId: RequestId, command: Command });
export const CaseIdParams = strict({ caseId: Id });
export const StartCaseBody = strict({
  requestId: RequestId,
  process: ProcessKeyParams.properties.key,
  caseId: Type.Optional(
    S({
      minLength: 3,
      maxLength: 100,
      pattern: '^[A-Za-z0-9_-]+$',
      description: 'Mã hồ sơ tự đặt: chữ, số, gạch ngang, gạch dưới (mã có dấu chấm do hệ thống đặt)',
    })
  ),
  title: S({ minLength: 1, maxLength: 300 }),
  caseUnitId: Id,
  subjectName: Type.Optional(S({ minLength: 1, maxLength: 200 })),
  sector: Type.Optional(
    Type.Union(
      SECTORS.map((s) => Type.Literal(s)),
      { description: 'Khối (hồ sơ kết nạp)' }
    )
  ),
  groups: Type.Optional(
    Type.Array(Type.Union(GROUPS.map((g) => Type.Literal(g))), { maxItems: GROUPS.length, uniqueItems: true })
  ),
});
export const StartCaseReply = strict({
  caseId: Type.String(),
  process: Type.String(),
  workflowId: Type.String(),
  created: Type.Boolean(),
});
export const StartCampaignBody = strict({
  requestId: RequestId,
  campaignId: Type.Optional(S({ minLength: 3, maxLength: 80, pattern: '^[A-Za-z0-9_-]+$' })),
  titleVi: S({ minLength: 1, maxLength: 300 }),
  process: ProcessKeyParams.properties.key,
  deadline: IsoDate,
  units: Type.Array(strict({ caseUnitId: Id, title: S({ minLength: 1, maxLength: 300 }) }), {
    minItems: 1,
    maxItems: 500,
  }),
});
export const StartCampaignReply = strict({
  campaignId: Type.String(),
  workflowId: Type.String(),
  created: Type.Boolean(),
  caseIds: Type.Array(Type.String()),
});
const CurrentStep = strict({
  stepId: Type.String(),
  run: Type.Integer(),
  title: Type.String(),
  status: Type.String(),
  actorLabel: Type.String(),
  openedAt: Type.Number(),
  dueAt: Type.Optional(Type.Number()),
  deadlineText: Type.Optional(Type.String()),
});
export const CaseSummary = strict({
  caseId: Type.String(),
  process: Type.String(),
  version: Type.Integer(),
  status: Type.String(),
  revision: Type.Integer(),
  current: Type.Optional(CurrentStep),
});
const CaseStatus = Type.Union([
  Type.Literal('open'),
  Type.Literal('returned'),
  Type.Literal('completed'),
  Type.Literal('refused'),
  Type.Literal('withdrawn'),
  Type.Literal('escalatedToSuperior'),
]);
export const CaseItem = strict({
  caseId: Type.String(),
  process: Type.String(),
  processTitle: Type.String(),
  version: Type.Integer(),
  title: Type.String(),
  caseUnitId: Type.String(),
  committeeId: Type.String(),
  campaignId: Type.Optional(Type.String()),
  subjectName: Type.Optional(Type.String()),
  status: CaseStatus,
  currentStepId: Type.Optional(Type.String()),
  currentStepTitle: Type.Optional(Type.String()),
  actorLabel: Type.Optional(Type.String()),
  actorBodyId: Type.Optional(Type.String()),
  actorPersonIds: Type.Array(Type.String()),
  dueAt: Type.Optional(Type.Number()),
  escalationLevel: Type.String(),
  obstacles: Type.Integer(),
  startedAt: Type.Number(),
  updatedAt: Type.Number(),
  revision: Type.Integer(),
  overdue: Type.Boolean(),
});
const pageOf = (item: TSchema) =>
  strict({ items: Type.Array(item), total: Type.Integer(), page: Type.Integer(), pageSize: Type.Integer() });
export const CasePage = pageOf(CaseItem);
const Paging = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
};
export const CasesQuery = strict({
  status: Type.Optional(CaseStatus),
  committeeId: Type.Optional(Id),
  process: Type.Optional(ProcessKeyParams.properties.key),
  overdue: Type.Optional(Type.Boolean()),
  ...Paging,
});
export const PageQuery = strict(Paging);
const StepRun = strict({
  stepId: Type.String(),
  run: Type.Integer(),
  title: Type.String(),
  status: Type.String(),
  outcome: Type.Optional(Type.String()),
  openedAt: Type.Number(),
  dueAt: Type.Optional(Type.Number()),
  closedAt: Type.Optional(Type.Number()),
  actorLabel: Type.String(),
  actedBy: Type.Optional(Type.String()),
  onBehalfOf: Type.Optional(Type.String()),
  votes: Type.Optional(Type.Array(OpenObject)),
  returned: Type.Optional(OpenObject),
  extendedTo: Type.Optional(Type.Number()),
  documents: Type.Optional(Type.Array(OpenObject)),
});
const AuditEntry = strict({
  caseId: Type.String(),
  seq: Type.Integer(),
  at: Type.Number(),
  type: Type.String(),
  personId: Type.Optional(Type.String()),
  onBehalfOf: Type.Optional(Type.String()),
  stepId: Type.Optional(Type.String()),
  data: OpenObject,
  prevHash: Type.String(),
  hash: Type.String(),
});
export const AuditVerification = strict(
  {
    ok: Type.Boolean({ description: 'true khi không có sai lệch nào' }),
    checked: Type.Integer({ description: 'Số mục nhật ký đã đọc và tính lại mã băm' }),
    problems: Type.Array(
      strict({
        caseId: Type.String(),
        seq: Type.Integer({ description: 'Số thứ tự của mục có sai lệch' }),
        code: Type.Union(
          [
            Type.Literal('changed'),
            Type.Literal('broken-link'),
            Type.Literal('missing'),
            Type.Literal('bad-id'),
            Type.Literal('duplicate'),
            Type.Literal('anchor'),
          ],
          {
            description:
              'changed: nội dung khác mã băm; broken-link: không nối với mục trước; missing: thiếu mục; ' +
              'bad-id: lưu sai mã; duplicate: trùng hoặc sai thứ tự; anchor: mã băm khác với mã quy trình ' +
              'đã ghi trong lịch sử Temporal (nhật ký bị sửa và tính lại mã băm)',
          }
        ),
        problem: Type.String({ description: 'Mô tả sai lệch bằng tiếng Việt' }),
      })
    ),
  },
  'Kết quả kiểm tra chuỗi nhật ký'
);
export const AuditVerifyQuery = strict({
  caseId: Type.Optional(Id),
});
export const CaseDetail = strict({
  case: CaseItem,
  steps: Type.Array(StepRun),
  audit: Type.Array(AuditEntry),
  verification: AuditVerification,
  deadlineText: Type.Optional(Type.String()),
});
export const DashboardReply = strict({
  items: Type.Array(
    strict({
      committeeId: Type.String(),
      committeeName: Type.String(),
      open: Type.Integer(),
      overdue: Type.Integer(),
      escalated: Type.Integer(),
    })
  ),
});

export type ActBodyT = Static<typeof ActBody>;
