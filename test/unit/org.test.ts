import { isDomainError } from '../../domain/errors';
import {
  actorRecipients,
  bodyOn,
  holdersOf,
  mayAct,
  provincialStandingRecipients,
  readableUnits,
  recipientsFor,
  resolveBody,
  sitsOn,
  superiorOrgBoardRecipients,
  validateOrg,
  type MayActInput,
  type OrgBody,
  type OrgSnapshot,
} from '../../domain/org';
import type { ActorSpec } from '../../domain/types';

// ---------------------------------------------------------------------------------------------------
// A province before and after the reform of 1/7/2025 (Quy định 294-QĐ/TW):
//
//   until 30/6/2025                                  from 1/7/2025
//   Tỉnh ủy Quảng Nam (P)                            Tỉnh ủy Quảng Nam (P)
//   ├─ Ban Thường vụ, Thường trực, Ban Tổ chức       ├─ Ban Thường vụ, Thường trực, Ban Tổ chức
//   └─ Huyện ủy Duy Xuyên (D)                        └─ Đảng ủy xã Duy Xuyên (X, re-parented, renamed)
//      ├─ Ban Thường vụ, Ban Tổ chức                    ├─ Ban Thường vụ, Ban Xây dựng Đảng
//      ├─ Đảng ủy xã Duy Hòa (X, grassroots)            ├─ Chi bộ thôn Mỹ Phước (K)
//      │  └─ Chi bộ thôn Mỹ Phước (K)                   └─ Đảng ủy Công ty Dệt may (G)
//      └─ Đảng ủy Công ty Dệt may (G)                      └─ Chi bộ Phân xưởng May 1 (K2)
//         └─ Chi bộ Phân xưởng May 1 (K2)
//
// X and G keep their ids across the reform: each is recorded as two versions.
// ---------------------------------------------------------------------------------------------------
const ALWAYS = '2020-01-01';
const LAST_DISTRICT_DAY = '2025-06-30';
const REFORM = '2025-07-01';

const bodies: OrgBody[] = [
  { id: 'P', name: 'Tỉnh ủy Quảng Nam', kind: 'provincialCommittee', validFrom: ALWAYS },
  { id: 'P-BTV', name: 'Ban Thường vụ Tỉnh ủy', kind: 'standingBoard', parentId: 'P', validFrom: ALWAYS },
  {
    id: 'P-TT',
    name: 'Thường trực Tỉnh ủy',
    kind: 'standing',
    parentId: 'P',
    validFrom: ALWAYS,
    email: 'thuongtruc@tinhuy.example.vn',
  },
  {
    id: 'P-BTC',
    name: 'Ban Tổ chức Tỉnh ủy',
    kind: 'organizationBoard',
    parentId: 'P',
    validFrom: ALWAYS,
    email: 'bantochuc@tinhuy.example.vn',
  },
  // A cell attached to an inner body: going up skips the inner body.
  { id: 'K3', name: 'Chi bộ Ban Tổ chức Tỉnh ủy', kind: 'cell', parentId: 'P-BTC', validFrom: ALWAYS },
  {
    id: 'D',
    name: 'Huyện ủy Duy Xuyên',
    kind: 'committee',
    parentId: 'P',
    validFrom: ALWAYS,
    validTo: LAST_DISTRICT_DAY,
  },
  {
    id: 'D-BTV',
    name: 'Ban Thường vụ Huyện ủy Duy Xuyên',
    kind: 'standingBoard',
    parentId: 'D',
    validFrom: ALWAYS,
    validTo: LAST_DISTRICT_DAY,
  },
  {
    id: 'D-BTC',
    name: 'Ban Tổ chức Huyện ủy Duy Xuyên',
    kind: 'organizationBoard',
    parentId: 'D',
    validFrom: ALWAYS,
    validTo: LAST_DISTRICT_DAY,
  },
  {
    id: 'X',
    name: 'Đảng ủy xã Duy Hòa',
    kind: 'grassrootsCommittee',
    parentId: 'D',
    validFrom: ALWAYS,
    validTo: LAST_DISTRICT_DAY,
  },
  { id: 'X', name: 'Đảng ủy xã Duy Xuyên', kind: 'committee', parentId: 'P', validFrom: REFORM },
  {
    id: 'X-BTV',
    name: 'Ban Thường vụ Đảng ủy xã Duy Xuyên',
    kind: 'standingBoard',
    parentId: 'X',
    validFrom: REFORM,
  },
  {
    id: 'X-BXD',
    name: 'Ban Xây dựng Đảng Đảng ủy xã Duy Xuyên',
    kind: 'organizationBoard',
    parentId: 'X',
    validFrom: REFORM,
  },
  { id: 'K', name: 'Chi bộ thôn Mỹ Phước', kind: 'cell', parentId: 'X', validFrom: ALWAYS },
  {
    id: 'G',
    name: 'Đảng ủy Công ty Dệt may Duy Xuyên',
    kind: 'grassrootsCommittee',
    parentId: 'D',
    validFrom: ALWAYS,
    validTo: LAST_DISTRICT_DAY,
  },
  { id: 'G', name: 'Đảng ủy Công ty Dệt may Duy Xuyên', kind: 'grassrootsCommittee', parentId: 'X', validFrom: REFORM },
  { id: 'K2', name: 'Chi bộ Phân xưởng May 1', kind: 'cell', parentId: 'G', validFrom: ALWAYS },
];

const person = (id: string, name: string): { id: string; name: string; email: string } => ({
  id,
  name,
  email: `${id}@example.vn`,
});

const org: OrgSnapshot = {
  bodies,
  people: [
    person('p-an', 'Nguyễn Văn An'),
    person('p-binh', 'Phạm Thị Bình'),
    person('p-cuong', 'Võ Văn Cường'),
    person('p-dung', 'Đặng Thị Dung'),
    person('p-hung', 'Trần Văn Hùng'),
    person('p-mai', 'Lê Thị Mai'),
    person('p-giang', 'Lý Văn Giang'),
    person('p-em', 'Hồ Văn Em'),
    person('p-phuong', 'Trịnh Thị Phương'),
    person('p-hai', 'Ngô Văn Hải'),
    person('p-khoa', 'Đỗ Minh Khoa'),
    person('p-lan', 'Bùi Thị Lan'),
  ],
  assignments: [
    { personId: 'p-an', bodyId: 'P-BTV', role: 'secretary', from: ALWAYS },
    { personId: 'p-binh', bodyId: 'P-BTV', role: 'deputySecretary', from: ALWAYS },
    { personId: 'p-an', bodyId: 'P-TT', role: 'secretary', from: ALWAYS },
    { personId: 'p-binh', bodyId: 'P-TT', role: 'deputySecretary', from: ALWAYS },
    { personId: 'p-cuong', bodyId: 'P-BTC', role: 'head', from: ALWAYS },
    { personId: 'p-dung', bodyId: 'P-BTC', role: 'specialist', from: ALWAYS },
    { personId: 'p-hung', bodyId: 'D-BTV', role: 'secretary', from: ALWAYS, to: LAST_DISTRICT_DAY },
    { personId: 'p-mai', bodyId: 'D-BTV', role: 'deputySecretary', from: ALWAYS, to: LAST_DISTRICT_DAY },
    { personId: 'p-giang', bodyId: 'D-BTC', role: 'head', from: ALWAYS, to: LAST_DISTRICT_DAY },
    { personId: 'p-em', bodyId: 'X-BTV', role: 'secretary', from: REFORM },
    { personId: 'p-phuong', bodyId: 'X-BTV', role: 'deputySecretary', from: REFORM },
    { personId: 'p-hai', bodyId: 'X-BTV', role: 'standingMember', from: REFORM },
    { personId: 'p-khoa', bodyId: 'X-BXD', role: 'head', from: REFORM },
    { personId: 'p-lan', bodyId: 'K2', role: 'secretary', from: ALWAYS },
  ],
  delegations: [
    // The commune secretary, away for a week, lets a standing member sign admission decisions (C11).
    {
      id: 'uq-01',
      fromPersonId: 'p-em',
      toPersonId: 'p-hai',
      bodyId: 'X-BTV',
      from: '2026-03-02',
      to: '2026-03-06',
      stepIds: ['C11'],
    },
    // A general delegation, no body or step scope.
    { id: 'uq-02', fromPersonId: 'p-binh', toPersonId: 'p-cuong', from: '2026-04-01', to: '2026-04-10' },
  ],
};

/** C11: the standing board of the committee two levels above a cell that sits under a grassroots committee. */
const admissionDecision: ActorSpec = {
  body: { anchor: 'caseUnit', up: 2, inner: 'standingBoard' },
  roles: ['secretary', 'deputySecretary'],
  label: 'Ban Thường vụ cấp ủy cấp trên',
};

const provincialBoard: ActorSpec = {
  body: { anchor: 'province', inner: 'standingBoard' },
  roles: ['secretary', 'deputySecretary'],
  label: 'Ban Thường vụ Tỉnh ủy',
};

const cellSecretary: ActorSpec = { body: { anchor: 'caseUnit' }, roles: ['secretary'], label: 'Chi bộ' };

function errorOf(run: () => unknown): { code: string; messageVi: string; details?: Record<string, unknown> } {
  try {
    run();
  } catch (error) {
    if (isDomainError(error)) return { code: error.code, messageVi: error.messageVi, details: error.details };
    throw error;
  }
  throw new Error('expected a DomainError');
}

function problemsOf(snapshot: OrgSnapshot): string[] {
  const error = errorOf(() => validateOrg(snapshot));
  expect(error.code).toBe('ORG_INVALID');
  return error.details!.problems as string[];
}

/** The fixture with some bodies replaced (by id and validFrom) or added. */
function withBodies(...changed: OrgBody[]): OrgSnapshot {
  const key = (b: OrgBody): string => `${b.id}@${b.validFrom}`;
  const replaced = new Set(changed.map(key));
  return { ...org, bodies: [...bodies.filter((b) => !replaced.has(key(b))), ...changed] };
}

const body = (id: string, validFrom = ALWAYS): OrgBody => bodies.find((b) => b.id === id && b.validFrom === validFrom)!;

describe('validateOrg', () => {
  it('accepts the province before and after the reform', () => {
    expect(() => validateOrg(org)).not.toThrow();
  });

  it('rejects bad and reversed dates', () => {
    const problems = problemsOf(
      withBodies(
        { ...body('K3'), validFrom: '2025-02-30' },
        { ...body('K'), validTo: '2019-12-31' },
        { ...body('K2'), validTo: '2025-13-01' }
      )
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'Cơ quan Chi bộ Ban Tổ chức Tỉnh ủy (K3): ngày «2025-02-30» không hợp lệ',
        'Cơ quan Chi bộ thôn Mỹ Phước (K): ngày kết thúc 31/12/2019 trước ngày bắt đầu 01/01/2020',
        'Cơ quan Chi bộ Phân xưởng May 1 (K2): ngày «2025-13-01» không hợp lệ',
      ])
    );
  });

  it('rejects two versions of a body in force on the same day', () => {
    // The old commune committee kept until 1/7/2025 inclusive overlaps the new one from 1/7/2025.
    const problems = problemsOf(withBodies({ ...body('X'), validTo: REFORM }));
    expect(problems).toContain('Cơ quan Đảng ủy xã Duy Xuyên (X): hai phiên bản cùng hiệu lực từ ngày 01/07/2025');
    // The same record imported twice.
    expect(problemsOf({ ...org, bodies: [...bodies, body('K')] })).toEqual([
      'Cơ quan Chi bộ thôn Mỹ Phước (K): hai phiên bản cùng hiệu lực từ ngày 01/01/2020',
    ]);
    expect(problemsOf(withBodies({ ...body('X'), validTo: undefined }))).toContain(
      'Cơ quan Đảng ủy xã Duy Xuyên (X): hai phiên bản cùng hiệu lực từ ngày 01/07/2025'
    );
  });

  it('rejects a body whose parent is unknown or not in force for its whole life', () => {
    // The district's Organization Board left open after the district was abolished.
    expect(problemsOf(withBodies({ ...body('D-BTC'), validTo: undefined }))).toEqual([
      'Cơ quan Ban Tổ chức Huyện ủy Duy Xuyên (D-BTC): cơ quan cấp trên «D» không tồn tại vào ngày 01/07/2025',
    ]);
    // A child starting before its parent.
    const early = bodies.map((b) => (b.id === 'K3' ? { ...b, validFrom: '2019-06-01' } : b));
    expect(problemsOf({ ...org, bodies: early })).toEqual([
      'Cơ quan Chi bộ Ban Tổ chức Tỉnh ủy (K3): cơ quan cấp trên «P-BTC» không tồn tại vào ngày 01/06/2019',
    ]);
    // A bounded child inside its parent's two versions is fine: K2's parent G covers 2020 → open.
    expect(() => validateOrg(withBodies({ ...body('K2'), validTo: '2026-12-31' }))).not.toThrow();
    // Versions of a parent that follow each other day by day cover a child, across a year end and 29/2.
    const renamed = withBodies(
      { ...body('P'), validTo: '2023-12-31' },
      { ...body('P'), validFrom: '2024-01-01', validTo: '2024-02-28', name: 'Tỉnh ủy (2)' },
      { ...body('P'), validFrom: '2024-02-29', validTo: '2025-02-28', name: 'Tỉnh ủy (3)' },
      { ...body('P'), validFrom: '2025-03-01', name: 'Tỉnh ủy (4)' }
    );
    expect(() => validateOrg(renamed)).not.toThrow();
    // A gap between two versions of the parent.
    const late = bodies.map((b) => (b.id === 'G' && b.validFrom === REFORM ? { ...b, validFrom: '2025-07-02' } : b));
    const gap = problemsOf({ ...org, bodies: late });
    expect(gap).toEqual([
      'Cơ quan Chi bộ Phân xưởng May 1 (K2): cơ quan cấp trên «G» không tồn tại vào ngày 01/07/2025',
    ]);
    expect(problemsOf(withBodies({ ...body('K'), parentId: 'nowhere' }))).toEqual([
      'Cơ quan Chi bộ thôn Mỹ Phước (K): cơ quan cấp trên «nowhere» không tồn tại vào ngày 01/01/2020',
    ]);
  });

  it('rejects roots that are not a provincial committee, two provinces, two boards and cycles', () => {
    const problems = problemsOf(
      withBodies(
        { ...body('K3'), parentId: undefined },
        { ...body('K'), parentId: 'K' },
        { id: 'P2', name: 'Tỉnh ủy thừa', kind: 'provincialCommittee', validFrom: '2024-01-01' },
        // A and B are each other's parent from 2024 on: the cycle is reported once, not on every later date.
        { id: 'A', name: 'Đảng ủy A', kind: 'committee', parentId: 'B', validFrom: '2024-01-01' },
        { id: 'B', name: 'Đảng ủy B', kind: 'committee', parentId: 'A', validFrom: '2024-01-01' },
        // Two standing boards under the province.
        { id: 'P-BTV2', name: 'Ban Thường vụ thừa', kind: 'standingBoard', parentId: 'P', validFrom: '2024-01-01' }
      )
    );
    expect(problems).toEqual([
      'Cơ quan Chi bộ Ban Tổ chức Tỉnh ủy (K3) không thuộc cơ quan cấp trên nào',
      'Vòng lặp cấp trên qua cơ quan «K» vào ngày 01/01/2020',
      'Có 2 Tỉnh ủy cùng hiệu lực vào ngày 01/01/2024',
      '«P» có hai Ban Thường vụ cùng hiệu lực vào ngày 01/01/2024',
      'Vòng lặp cấp trên qua cơ quan «A» vào ngày 01/01/2024',
    ]);
  });

  it('rejects duplicate people, bad addresses and roles on unknown people or bodies', () => {
    const problems = problemsOf({
      ...org,
      people: [...org.people, person('p-an', 'Nguyễn Văn An'), { id: 'p-x', name: 'Mai Văn X', email: 'không có' }],
      assignments: [
        ...org.assignments,
        { personId: 'p-ghost', bodyId: 'P-BTV', role: 'standingMember', from: ALWAYS },
        { personId: 'p-an', bodyId: 'nowhere', role: 'head', from: ALWAYS },
        { personId: 'p-an', bodyId: 'P-BTV', role: 'standingMember', from: '2026-01-01', to: '2025-01-01' },
      ],
    });
    expect(problems).toEqual([
      'Người «p-an» được ghi hai lần',
      'Đồng chí Mai Văn X (p-x): địa chỉ thư điện tử «không có» không hợp lệ',
      'Chức vụ ủy viên Ban Thường vụ của «p-ghost» tại «P-BTV»: không có người này',
      'Chức vụ trưởng ban của «p-an» tại «nowhere»: không có cơ quan này',
      'Chức vụ ủy viên Ban Thường vụ của «p-an» tại «P-BTV»: ngày kết thúc 01/01/2025 trước ngày bắt đầu 01/01/2026',
    ]);
  });

  it('rejects bad delegations', () => {
    const problems = problemsOf({
      ...org,
      delegations: [
        ...org.delegations,
        { id: 'uq-01', fromPersonId: 'p-an', toPersonId: 'p-binh', from: '2026-01-01', to: '2026-01-02' },
        { id: 'uq-03', fromPersonId: 'p-an', toPersonId: 'p-an', from: '2026-01-05', to: '2026-01-01' },
        {
          id: 'uq-04',
          fromPersonId: 'p-ghost',
          toPersonId: 'p-an',
          bodyId: 'nowhere',
          from: '2026-01-01',
          to: '2026-01-01',
          stepIds: [],
        },
      ],
    });
    expect(problems).toEqual([
      'Ủy quyền «uq-01» được ghi hai lần',
      'Ủy quyền «uq-03»: ngày kết thúc 01/01/2026 trước ngày bắt đầu 05/01/2026',
      'Ủy quyền «uq-03»: người ủy quyền và người được ủy quyền trùng nhau',
      'Ủy quyền «uq-04»: không có người «p-ghost»',
      'Ủy quyền «uq-04»: không có cơ quan «nowhere»',
      'Ủy quyền «uq-04»: danh sách bước được ủy quyền trống',
    ]);
  });

  it('says in one Vietnamese message everything that is wrong', () => {
    const error = errorOf(() =>
      validateOrg(withBodies({ ...body('K'), parentId: 'K' }, { ...body('K2'), parentId: 'K2' }))
    );
    expect(error.messageVi).toBe(
      'Dữ liệu tổ chức không hợp lệ: ' +
        'Vòng lặp cấp trên qua cơ quan «K» vào ngày 01/01/2020; Vòng lặp cấp trên qua cơ quan «K2» vào ngày 01/01/2020.'
    );
  });
});

describe('resolveBody: the tree as it was on a date', () => {
  it('a case of a cell under a grassroots committee started before the reform goes to the district', () => {
    // K2 → G (grassroots) → D (Huyện ủy) → its Ban Thường vụ.
    expect(resolveBody(org, admissionDecision.body, 'K2', '2025-05-10').id).toBe('D-BTV');
    // The last day of the district level still resolves to it.
    expect(resolveBody(org, admissionDecision.body, 'K2', LAST_DISTRICT_DAY).id).toBe('D-BTV');
  });

  it('the same case started after the reform goes to the commune committee', () => {
    // K2 → G → X (now directly under the province) → its Ban Thường vụ.
    expect(resolveBody(org, admissionDecision.body, 'K2', REFORM).id).toBe('X-BTV');
  });

  it('reads each version of a re-parented body on its own dates', () => {
    const up1 = { anchor: 'caseUnit' as const, up: 1 };
    expect(resolveBody(org, up1, 'K', '2025-05-10')).toMatchObject({ name: 'Đảng ủy xã Duy Hòa', parentId: 'D' });
    expect(resolveBody(org, up1, 'K', '2025-08-01')).toMatchObject({ name: 'Đảng ủy xã Duy Xuyên', parentId: 'P' });
    expect(bodyOn(org, 'X', '2019-12-31')).toBeUndefined();
  });

  it('a grassroots commune committee had no standing board before the reform', () => {
    const error = errorOf(() =>
      resolveBody(org, { anchor: 'caseUnit', up: 1, inner: 'standingBoard' }, 'K', '2025-05-10')
    );
    expect(error).toMatchObject({
      code: 'NOT_FOUND',
      messageVi: 'Đảng ủy xã Duy Hòa không có Ban Thường vụ vào ngày 10/05/2025.',
    });
  });

  it('anchors at the province whatever the case unit', () => {
    expect(resolveBody(org, provincialBoard.body, 'K2', '2026-01-01').id).toBe('P-BTV');
    expect(resolveBody(org, { anchor: 'province' }, 'K2', '2026-01-01').id).toBe('P');
  });

  it('skips inner bodies when going up', () => {
    // K3 hangs under the provincial Organization Board; one party organisation up is the province.
    expect(resolveBody(org, { anchor: 'caseUnit', up: 1 }, 'K3', '2026-01-01').id).toBe('P');
    expect(resolveBody(org, { anchor: 'caseUnit' }, 'K3', '2026-01-01').id).toBe('K3');
  });

  it('refuses what cannot be resolved', () => {
    expect(errorOf(() => resolveBody(org, { anchor: 'caseUnit' }, 'nowhere', '2026-01-01'))).toMatchObject({
      code: 'NOT_FOUND',
      messageVi: 'Không tìm thấy đơn vị «nowhere» trong dữ liệu tổ chức vào ngày 01/01/2026.',
    });
    expect(errorOf(() => resolveBody(org, { anchor: 'caseUnit' }, 'X-BTV', '2025-05-01')).code).toBe('NOT_FOUND');
    expect(errorOf(() => resolveBody(org, { anchor: 'caseUnit' }, 'P-BTV', '2026-01-01'))).toMatchObject({
      code: 'INVALID_INPUT',
      messageVi: 'Ban Thường vụ Tỉnh ủy không phải là một tổ chức đảng nên không thể là đơn vị của hồ sơ.',
    });
    expect(errorOf(() => resolveBody(org, { anchor: 'caseUnit', up: 4 }, 'K2', '2026-01-01'))).toMatchObject({
      code: 'NOT_FOUND',
      messageVi: 'Tỉnh ủy Quảng Nam không có cấp ủy cấp trên vào ngày 01/01/2026.',
    });
    expect(errorOf(() => resolveBody(org, { anchor: 'province' }, '', '2019-06-01'))).toMatchObject({
      code: 'NOT_FOUND',
      messageVi: 'Không có Tỉnh ủy trong dữ liệu tổ chức vào ngày 01/06/2019.',
    });
    expect(errorOf(() => resolveBody(org, { anchor: 'caseUnit', up: -1 }, 'K2', '2026-01-01')).code).toBe(
      'DEFINITION_INVALID'
    );
    expect(errorOf(() => resolveBody(org, { anchor: 'caseUnit', up: 0.5 }, 'K2', '2026-01-01')).code).toBe(
      'DEFINITION_INVALID'
    );
    expect(errorOf(() => resolveBody(org, { anchor: 'caseUnit' }, 'K2', '2026-02-30')).code).toBe('INVALID_INPUT');
    expect(errorOf(() => resolveBody(org, { anchor: 'caseUnit' }, 'K2', '1/1/2026')).code).toBe('INVALID_INPUT');
  });

  it('refuses an ambiguous inner body and a parent missing on the date (unvalidated data)', () => {
    const twoUnions = withBodies(
      { id: 'Y1', name: 'Đoàn Thanh niên xã 1', kind: 'youthUnion', parentId: 'X', validFrom: REFORM },
      { id: 'Y2', name: 'Đoàn Thanh niên xã 2', kind: 'youthUnion', parentId: 'X', validFrom: REFORM }
    );
    expect(
      errorOf(() => resolveBody(twoUnions, { anchor: 'caseUnit', inner: 'youthUnion' }, 'X', '2026-01-01'))
    ).toMatchObject({
      code: 'ORG_INVALID',
      messageVi:
        'Dữ liệu tổ chức không hợp lệ: Đảng ủy xã Duy Xuyên có 2 cơ quan loại Đoàn Thanh niên vào ngày 01/01/2026.',
    });
    const orphan = withBodies({ ...body('K'), parentId: 'nowhere' });
    expect(errorOf(() => resolveBody(orphan, { anchor: 'caseUnit', up: 1 }, 'K', '2026-01-01')).code).toBe('NOT_FOUND');
  });
});

describe('holdersOf', () => {
  it('lists the holders on a date in the order of the roles asked', () => {
    const holders = (roles: ('secretary' | 'deputySecretary')[], onDate: string): string[] =>
      holdersOf(org, 'P-BTV', roles, onDate).map((a) => a.personId);
    expect(holders(['secretary', 'deputySecretary'], '2026-01-01')).toEqual(['p-an', 'p-binh']);
    expect(holders(['deputySecretary', 'secretary'], '2026-01-01')).toEqual(['p-binh', 'p-an']);
    expect(holders(['secretary'], '2026-01-01')).toEqual(['p-an']);
    expect(holdersOf(org, 'D-BTV', ['secretary'], REFORM)).toEqual([]);
    expect(holdersOf(org, 'D-BTV', ['secretary'], LAST_DISTRICT_DAY).map((a) => a.personId)).toEqual(['p-hung']);
  });

  it('orders holders of the same role by person id', () => {
    const twoDeputies: OrgSnapshot = {
      ...org,
      assignments: [...org.assignments, { personId: 'p-aa', bodyId: 'P-BTV', role: 'deputySecretary', from: ALWAYS }],
    };
    expect(holdersOf(twoDeputies, 'P-BTV', ['deputySecretary'], '2026-01-01').map((a) => a.personId)).toEqual([
      'p-aa',
      'p-binh',
    ]);
  });
});

describe('readableUnits: whose cases a person reads by their roles', () => {
  const ALL = [...new Set(bodies.map((b) => b.id))].sort();
  it('a provincial body reads the whole province, units of the old tree included', () => {
    expect(readableUnits(org, 'p-cuong', '2026-01-01')).toEqual(ALL); // Ban Tổ chức Tỉnh ủy
    expect(readableUnits(org, 'p-an', '2026-01-01')).toEqual(ALL); // Thường trực, Ban Thường vụ
  });

  it('an inner body reads for the committee it belongs to, on the tree of that day', () => {
    // The commune's Ban Xây dựng Đảng: the commune with its inner bodies, its cell K and the grassroots
    // committee G with its cell.
    expect(readableUnits(org, 'p-khoa', '2026-01-01')).toEqual(['G', 'K', 'K2', 'X', 'X-BTV', 'X-BXD']);
    // Before the reform the district's standing board read the district; its roles end with it.
    expect(readableUnits(org, 'p-hung', LAST_DISTRICT_DAY)).toEqual([
      'D',
      'D-BTC',
      'D-BTV',
      'G',
      'K',
      'K2',
      'X',
      'X-BTV',
      'X-BXD',
    ]);
    expect(readableUnits(org, 'p-hung', REFORM)).toEqual([]);
  });

  it("a cell's secretary reads the cell; a role before its first day gives nothing", () => {
    expect(readableUnits(org, 'p-lan', '2026-01-01')).toEqual(['K2']);
    expect(readableUnits(org, 'p-khoa', LAST_DISTRICT_DAY)).toEqual([]);
    expect(readableUnits(org, 'nobody', '2026-01-01')).toEqual([]);
  });

  it('an applicant reads no unit: only their own case, which the caller grants', () => {
    const withApplicant: OrgSnapshot = {
      ...org,
      assignments: [...org.assignments, { personId: 'p-qc', bodyId: 'K2', role: 'applicant', from: ALWAYS }],
    };
    expect(readableUnits(withApplicant, 'p-qc', '2026-01-01')).toEqual([]);
  });
});

describe('sitsOn', () => {
  it('holds a role that day in a body of that kind in force that day', () => {
    expect(sitsOn(org, 'p-cuong', 'organizationBoard', '2026-01-01')).toBe(true);
    expect(sitsOn(org, 'p-cuong', 'inspectionCommittee', '2026-01-01')).toBe(false);
    expect(sitsOn(org, 'p-giang', 'organizationBoard', LAST_DISTRICT_DAY)).toBe(true);
    expect(sitsOn(org, 'p-giang', 'organizationBoard', REFORM)).toBe(false);
  });
});

describe('mayAct', () => {
  const c11 = (personId: string, onDate: string, extra: Partial<MayActInput> = {}): ReturnType<typeof mayAct> =>
    mayAct(org, { actor: admissionDecision, caseUnitId: 'K2', personId, onDate, stepId: 'C11', ...extra });
  const refusal = (result: ReturnType<typeof mayAct>): string => {
    if (result.allowed) throw new Error('expected a refusal');
    expect(result.error.code).toBe('NOT_AUTHORISED');
    return result.error.messageVi;
  };

  it('allows a holder of one of the roles in the acting body', () => {
    expect(c11('p-em', '2026-03-04')).toEqual({ allowed: true, bodyId: 'X-BTV', role: 'secretary' });
    expect(c11('p-phuong', '2026-03-04')).toEqual({ allowed: true, bodyId: 'X-BTV', role: 'deputySecretary' });
  });

  it('honours a delegation only inside its dates, both ends included', () => {
    const onBehalf = { allowed: true, bodyId: 'X-BTV', role: 'secretary', onBehalfOf: 'p-em' };
    expect(c11('p-hai', '2026-03-02')).toEqual(onBehalf);
    expect(c11('p-hai', '2026-03-04')).toEqual(onBehalf);
    expect(c11('p-hai', '2026-03-06')).toEqual(onBehalf);
    const expected =
      'Đồng chí Ngô Văn Hải không có thẩm quyền thực hiện bước của Ban Thường vụ cấp ủy cấp trên: vào ngày ' +
      '07/03/2026 không giữ chức vụ bí thư hoặc phó bí thư trong Ban Thường vụ Đảng ủy xã Duy Xuyên; giấy ủy ' +
      'quyền của đồng chí Hồ Văn Em chỉ có hiệu lực từ 02/03/2026 đến 06/03/2026.';
    expect(refusal(c11('p-hai', '2026-03-07'))).toBe(expected);
    expect(refusal(c11('p-hai', '2026-03-01'))).toContain('chỉ có hiệu lực từ 02/03/2026 đến 06/03/2026');
  });

  it('honours a delegation only for the steps it names', () => {
    expect(refusal(c11('p-hai', '2026-03-04', { stepId: 'C17' }))).toContain(
      'giấy ủy quyền của đồng chí Hồ Văn Em không áp dụng cho bước này'
    );
    expect(refusal(c11('p-hai', '2026-03-04', { stepId: undefined }))).toContain('không áp dụng cho bước này');
  });

  it('does not honour a delegation whose author no longer holds the role', () => {
    const emLeft: OrgSnapshot = {
      ...org,
      assignments: org.assignments.map((a) => (a.personId === 'p-em' ? { ...a, to: '2026-03-03' } : a)),
    };
    const result = mayAct(emLeft, {
      actor: admissionDecision,
      caseUnitId: 'K2',
      personId: 'p-hai',
      onDate: '2026-03-04',
      stepId: 'C11',
    });
    expect(refusal(result)).toContain(
      'giấy ủy quyền của đồng chí Hồ Văn Em không còn giá trị vì người ủy quyền không giữ chức vụ bí thư hoặc phó bí thư vào ngày đó'
    );
  });

  it('honours a delegation without scope on any body where its author holds the role', () => {
    const board = (onDate: string): ReturnType<typeof mayAct> =>
      mayAct(org, { actor: provincialBoard, caseUnitId: 'K2', personId: 'p-cuong', onDate, stepId: 'A5' });
    expect(board('2026-04-05')).toEqual({
      allowed: true,
      bodyId: 'P-BTV',
      role: 'deputySecretary',
      onBehalfOf: 'p-binh',
    });
    expect(refusal(board('2026-04-11'))).toContain('giấy ủy quyền của đồng chí Phạm Thị Bình chỉ có hiệu lực');
    // The same delegation says nothing about the commune's board, where its author holds no role.
    expect(refusal(c11('p-cuong', '2026-04-05'))).toBe(
      'Đồng chí Võ Văn Cường không có thẩm quyền thực hiện bước của Ban Thường vụ cấp ủy cấp trên: vào ngày ' +
        '05/04/2026 không giữ chức vụ bí thư hoặc phó bí thư trong Ban Thường vụ Đảng ủy xã Duy Xuyên và không được ủy quyền.'
    );
  });

  it('keeps the authority that was competent when the case started', () => {
    // Case of K2 started on 10/5/2025: the district's standing board decides.
    const oldCase = { caseStartedOn: '2025-05-10' };
    expect(c11('p-hung', '2025-06-20', oldCase)).toEqual({ allowed: true, bodyId: 'D-BTV', role: 'secretary' });
    // After the reform the new commune secretary is not the authority of that case...
    expect(refusal(c11('p-em', '2025-07-15', oldCase))).toContain('trong Ban Thường vụ Huyện ủy Duy Xuyên');
    // ...and the old one no longer holds the role; the message says the body is gone.
    expect(refusal(c11('p-hung', '2025-07-15', oldCase))).toBe(
      'Đồng chí Trần Văn Hùng không có thẩm quyền thực hiện bước của Ban Thường vụ cấp ủy cấp trên: vào ngày ' +
        '15/07/2025 không giữ chức vụ bí thư hoặc phó bí thư trong Ban Thường vụ Huyện ủy Duy Xuyên (Ban Thường vụ ' +
        'Huyện ủy Duy Xuyên không còn hoạt động vào ngày đó) và không được ủy quyền.'
    );
    // A case started after the reform goes to the commune committee.
    expect(c11('p-em', '2025-07-15', { caseStartedOn: '2025-07-02' })).toEqual({
      allowed: true,
      bodyId: 'X-BTV',
      role: 'secretary',
    });
  });

  it('names an unknown person by id', () => {
    const result = c11('p-nobody', '2026-03-04');
    expect(refusal(result)).toMatch(/^Người dùng «p-nobody» \(không có trong danh sách cán bộ\) không có thẩm quyền/);
    expect(!result.allowed && result.error.details).toEqual({
      personId: 'p-nobody',
      bodyId: 'X-BTV',
      roles: ['secretary', 'deputySecretary'],
      onDate: '2026-03-04',
      stepId: 'C11',
    });
  });

  it('names the author of a delegation by id when the data lacks that person', () => {
    const ghost: OrgSnapshot = {
      ...org,
      delegations: [
        {
          id: 'uq-9',
          fromPersonId: 'p-ghost',
          toPersonId: 'p-hai',
          bodyId: 'X-BTV',
          from: '2026-01-01',
          to: '2026-01-02',
        },
      ],
    };
    const result = mayAct(ghost, {
      actor: admissionDecision,
      caseUnitId: 'K2',
      personId: 'p-hai',
      onDate: '2026-03-04',
    });
    expect(refusal(result)).toContain('giấy ủy quyền của đồng chí «p-ghost» chỉ có hiệu lực');
  });

  it('throws on a bad date or an authority that cannot be resolved', () => {
    expect(errorOf(() => c11('p-em', '2026-3-4')).code).toBe('INVALID_INPUT');
    expect(errorOf(() => c11('p-em', '2026-03-04', { caseStartedOn: '2026-13-01' })).code).toBe('INVALID_INPUT');
    expect(errorOf(() => c11('p-em', '2026-03-04', { caseUnitId: 'nowhere' })).code).toBe('NOT_FOUND');
  });
});

describe('recipients', () => {
  const emails = (list: { email: string }[]): string[] => list.map((r) => r.email);
  const ctx = { actor: admissionDecision, caseUnitId: 'K2', onDate: '2026-03-04', stepId: 'C11' };

  it('writes to the actors of a step, their delegates in force, and the acting body', () => {
    // Holders of secretary then deputy secretary of X-BTV, then Hải who signs for the secretary this week.
    expect(actorRecipients(org, ctx)).toEqual([
      { email: 'p-em@example.vn', name: 'Hồ Văn Em', personId: 'p-em' },
      { email: 'p-phuong@example.vn', name: 'Trịnh Thị Phương', personId: 'p-phuong' },
      { email: 'p-hai@example.vn', name: 'Ngô Văn Hải', personId: 'p-hai' },
    ]);
    expect(emails(actorRecipients(org, { ...ctx, onDate: '2026-03-10' }))).toEqual([
      'p-em@example.vn',
      'p-phuong@example.vn',
    ]);
    expect(emails(actorRecipients(org, { ...ctx, stepId: 'C17' }))).toEqual(['p-em@example.vn', 'p-phuong@example.vn']);
    // A body with a mailbox is copied.
    const standingActor: ActorSpec = {
      body: { anchor: 'province', inner: 'standing' },
      roles: ['secretary'],
      label: 'Thường trực Tỉnh ủy',
    };
    expect(actorRecipients(org, { ...ctx, actor: standingActor })).toEqual([
      { email: 'p-an@example.vn', name: 'Nguyễn Văn An', personId: 'p-an' },
      { email: 'thuongtruc@tinhuy.example.vn', name: 'Thường trực Tỉnh ủy' },
    ]);
  });

  it("writes to the leaders of the superior committee's Organization Board", () => {
    // The actor is the commune's standing board: the board above the commune is the province's.
    expect(superiorOrgBoardRecipients(org, ctx)).toEqual([
      { email: 'p-cuong@example.vn', name: 'Võ Văn Cường', personId: 'p-cuong' },
      { email: 'bantochuc@tinhuy.example.vn', name: 'Ban Tổ chức Tỉnh ủy' },
    ]);
    // The actor is the cell K2: G (grassroots) has no board, so the commune's Ban Xây dựng Đảng it is.
    expect(emails(superiorOrgBoardRecipients(org, { ...ctx, actor: cellSecretary }))).toEqual(['p-khoa@example.vn']);
    // The actor is the province: nothing above, its own Organization Board.
    expect(emails(superiorOrgBoardRecipients(org, { ...ctx, actor: provincialBoard }))).toEqual([
      'p-cuong@example.vn',
      'bantochuc@tinhuy.example.vn',
    ]);
  });

  it('reads the tree of a case started before the reform on its start date', () => {
    const old = { ...ctx, onDate: '2025-06-20', caseStartedOn: '2025-05-10' };
    // The cell's superior board was the district's.
    expect(emails(superiorOrgBoardRecipients(org, { ...old, actor: cellSecretary }))).toEqual(['p-giang@example.vn']);
    expect(emails(actorRecipients(org, old))).toEqual(['p-hung@example.vn', 'p-mai@example.vn']);
  });

  it('fails loudly when there is no Organization Board above the actor', () => {
    const noBoards: OrgSnapshot = {
      ...org,
      bodies: bodies.filter((b) => b.kind !== 'organizationBoard' && b.id !== 'K3'),
    };
    expect(errorOf(() => superiorOrgBoardRecipients(noBoards, ctx))).toMatchObject({
      code: 'NOT_FOUND',
      messageVi: 'Không tìm thấy Ban Tổ chức cấp trên của Đảng ủy xã Duy Xuyên vào ngày 04/03/2026.',
    });
  });

  it('writes to Thường trực Tỉnh ủy: everyone holding a role in it, then its mailbox', () => {
    expect(emails(provincialStandingRecipients(org, '2026-03-04'))).toEqual([
      'p-an@example.vn',
      'p-binh@example.vn',
      'thuongtruc@tinhuy.example.vn',
    ]);
    expect(errorOf(() => provincialStandingRecipients(org, '2026-02-29')).code).toBe('INVALID_INPUT');
  });

  it('picks the recipients of each ladder audience, each address once', () => {
    expect(emails(recipientsFor(org, 'actor', ctx))).toEqual([
      'p-em@example.vn',
      'p-phuong@example.vn',
      'p-hai@example.vn',
    ]);
    expect(emails(recipientsFor(org, 'actorAndSuperiorOrgBoard', ctx))).toEqual([
      'p-em@example.vn',
      'p-phuong@example.vn',
      'p-hai@example.vn',
      'p-cuong@example.vn',
      'bantochuc@tinhuy.example.vn',
    ]);
    expect(emails(recipientsFor(org, 'provincialStanding', ctx))).toEqual([
      'p-an@example.vn',
      'p-binh@example.vn',
      'thuongtruc@tinhuy.example.vn',
    ]);
    // The provincial Organization Board as actor: it is also the board above, so nobody is written twice,
    // and addresses are compared without case.
    const boardActor: ActorSpec = {
      body: { anchor: 'province', inner: 'organizationBoard' },
      roles: ['head'],
      label: 'Ban Tổ chức Tỉnh ủy',
    };
    const shouting: OrgSnapshot = {
      ...org,
      people: org.people.map((p) => (p.id === 'p-cuong' ? { ...p, email: 'P-CUONG@example.vn' } : p)),
    };
    expect(emails(recipientsFor(shouting, 'actorAndSuperiorOrgBoard', { ...ctx, actor: boardActor }))).toEqual([
      'P-CUONG@example.vn',
      'bantochuc@tinhuy.example.vn',
    ]);
  });

  it('skips a role holder missing from the people (unvalidated data) and rejects a bad date', () => {
    const ghost: OrgSnapshot = {
      ...org,
      assignments: [
        ...org.assignments,
        { personId: 'p-ghost', bodyId: 'X-BTV', role: 'deputySecretary', from: REFORM },
      ],
    };
    expect(emails(actorRecipients(ghost, ctx))).toEqual(['p-em@example.vn', 'p-phuong@example.vn', 'p-hai@example.vn']);
    expect(errorOf(() => actorRecipients(org, { ...ctx, onDate: 'hôm nay' })).code).toBe('INVALID_INPUT');
    expect(errorOf(() => superiorOrgBoardRecipients(org, { ...ctx, onDate: 'hôm nay' })).code).toBe('INVALID_INPUT');
  });
});
