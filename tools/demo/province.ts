/**
 * The demo province that `npm start` loads into an empty database: Tỉnh ủy Sông Lam (a fictional
 * province) after the reform of 1/7/2025, with about twenty committees directly under it, each with its
 * standing board, Organization Board (Ban Xây dựng Đảng) and political centre, a grassroots committee and
 * two cells under each, and people holding every role. Deterministic: the same data every time.
 */
import type { OrgBody, OrgSnapshot, Person, RoleAssignment } from '../../domain/org';
import type { RoleCode } from '../../domain/types';

export const DEMO_FROM = '2025-07-01';
export const DEMO_DOMAIN = 'songlam.example.vn';

/** The committees directly under the province: wards and communes, and the two agency blocs. */
export const DEMO_COMMITTEES: Array<{ code: string; name: string }> = [
  { code: 'p-ben-thuy', name: 'Đảng ủy phường Bến Thủy' },
  { code: 'p-hung-dung', name: 'Đảng ủy phường Hưng Dũng' },
  { code: 'p-truong-thi', name: 'Đảng ủy phường Trường Thi' },
  { code: 'p-vinh-tan', name: 'Đảng ủy phường Vinh Tân' },
  { code: 'p-cua-lo', name: 'Đảng ủy phường Cửa Lò' },
  { code: 'x-nghi-loc', name: 'Đảng ủy xã Nghi Lộc' },
  { code: 'x-dien-chau', name: 'Đảng ủy xã Diễn Châu' },
  { code: 'x-quynh-luu', name: 'Đảng ủy xã Quỳnh Lưu' },
  { code: 'x-yen-thanh', name: 'Đảng ủy xã Yên Thành' },
  { code: 'x-do-luong', name: 'Đảng ủy xã Đô Lương' },
  { code: 'x-thanh-chuong', name: 'Đảng ủy xã Thanh Chương' },
  { code: 'x-nam-dan', name: 'Đảng ủy xã Nam Đàn' },
  { code: 'x-hung-nguyen', name: 'Đảng ủy xã Hưng Nguyên' },
  { code: 'x-anh-son', name: 'Đảng ủy xã Anh Sơn' },
  { code: 'x-con-cuong', name: 'Đảng ủy xã Con Cuông' },
  { code: 'x-tuong-duong', name: 'Đảng ủy xã Tương Dương' },
  { code: 'x-ky-son', name: 'Đảng ủy xã Kỳ Sơn' },
  { code: 'x-que-phong', name: 'Đảng ủy xã Quế Phong' },
  { code: 'dcq-dang', name: 'Đảng ủy các cơ quan Đảng tỉnh' },
  { code: 'd-ubnd', name: 'Đảng ủy Ủy ban nhân dân tỉnh' },
];

const FAMILY = [
  'Nguyễn',
  'Trần',
  'Lê',
  'Phạm',
  'Hoàng',
  'Phan',
  'Vũ',
  'Võ',
  'Đặng',
  'Bùi',
  'Đỗ',
  'Hồ',
  'Ngô',
  'Dương',
  'Lý',
];
const MIDDLE = ['Văn', 'Thị', 'Đức', 'Minh', 'Hữu', 'Thanh', 'Quốc', 'Ngọc', 'Xuân', 'Kim'];
const GIVEN = [
  'An',
  'Bình',
  'Cường',
  'Dũng',
  'Giang',
  'Hà',
  'Hải',
  'Hạnh',
  'Hòa',
  'Hùng',
  'Lan',
  'Linh',
  'Long',
  'Mai',
  'Nam',
  'Nga',
  'Phong',
  'Phúc',
  'Quang',
  'Sơn',
  'Tâm',
  'Thắng',
  'Thảo',
  'Trung',
  'Tuấn',
  'Vân',
  'Việt',
  'Yến',
];

/** A Vietnamese name from a number, always the same for the same number. */
function nameOf(i: number): string {
  return `${FAMILY[i % FAMILY.length]} ${MIDDLE[(i * 7) % MIDDLE.length]} ${GIVEN[(i * 13) % GIVEN.length]}`;
}

/** The demo accounts people sign in with (the README lists them); their persons are in the tree. */
export const DEMO_PEOPLE = {
  provinceSecretary: 'tinhuy-bithu',
  provinceDeputy: 'tinhuy-phobithu',
  provinceOrgHead: 'btc-truongban',
  provinceOrgSpecialist: 'btc-chuyenvien',
  inspector: 'ubkt-kiemtra',
  committeeSecretary: 'p-ben-thuy-bithu',
  committeeOrgSpecialist: 'p-ben-thuy-xdd-cv',
  grassrootsSecretary: 'p-ben-thuy-cs-bithu',
  cellSecretary: 'p-ben-thuy-cb1-bithu',
} as const;

export function buildDemoProvince(): OrgSnapshot {
  const bodies: OrgBody[] = [];
  const people: Person[] = [];
  const assignments: RoleAssignment[] = [];
  let n = 0;
  const person = (id: string, unit: string): string => {
    people.push({ id, name: nameOf(n++), email: `${id}@${unit}.${DEMO_DOMAIN}` });
    return id;
  };
  const role = (personId: string, bodyId: string, r: RoleCode): void => {
    assignments.push({ personId, bodyId, role: r, from: DEMO_FROM });
  };
  const body = (b: Omit<OrgBody, 'validFrom'>): string => {
    bodies.push({ ...b, validFrom: DEMO_FROM });
    return b.id;
  };

  const province = body({
    id: 'tinh-uy',
    name: 'Tỉnh ủy Sông Lam',
    kind: 'provincialCommittee',
    email: `vanphong@tinhuy.${DEMO_DOMAIN}`,
  });
  const standing = body({
    id: 'tinh-uy-tt',
    name: 'Thường trực Tỉnh ủy',
    kind: 'standing',
    parentId: province,
    email: `thuongtruc@tinhuy.${DEMO_DOMAIN}`,
  });
  const standingBoard = body({
    id: 'tinh-uy-btv',
    name: 'Ban Thường vụ Tỉnh ủy',
    kind: 'standingBoard',
    parentId: province,
  });
  const orgBoard = body({
    id: 'tinh-uy-btc',
    name: 'Ban Tổ chức Tỉnh ủy',
    kind: 'organizationBoard',
    parentId: province,
    email: `bantochuc@tinhuy.${DEMO_DOMAIN}`,
  });
  const inspection = body({
    id: 'tinh-uy-ubkt',
    name: 'Ủy ban Kiểm tra Tỉnh ủy',
    kind: 'inspectionCommittee',
    parentId: province,
  });

  const secretary = person(DEMO_PEOPLE.provinceSecretary, 'tinhuy');
  for (const b of [province, standing, standingBoard]) role(secretary, b, 'secretary');
  const deputy = person(DEMO_PEOPLE.provinceDeputy, 'tinhuy');
  for (const b of [province, standing, standingBoard]) role(deputy, b, 'deputySecretary');
  const deputy2 = person('tinhuy-phobithu2', 'tinhuy');
  for (const b of [province, standing, standingBoard]) role(deputy2, b, 'deputySecretary');
  role(person(DEMO_PEOPLE.provinceOrgHead, 'tinhuy'), orgBoard, 'head');
  role(person('btc-photruongban', 'tinhuy'), orgBoard, 'deputyHead');
  role(person(DEMO_PEOPLE.provinceOrgSpecialist, 'tinhuy'), orgBoard, 'specialist');
  role(person(DEMO_PEOPLE.inspector, 'tinhuy'), inspection, 'head');

  for (const c of DEMO_COMMITTEES) {
    const unit = c.code;
    const committee = body({
      id: unit,
      name: c.name,
      kind: 'committee',
      parentId: province,
      email: `vanphong@${unit}.${DEMO_DOMAIN}`,
    });
    const board = body({
      id: `${unit}-btv`,
      name: `Ban Thường vụ ${c.name}`,
      kind: 'standingBoard',
      parentId: committee,
    });
    const xdd = body({
      id: `${unit}-xdd`,
      name: `Ban Xây dựng Đảng ${c.name}`,
      kind: 'organizationBoard',
      parentId: committee,
      email: `xaydungdang@${unit}.${DEMO_DOMAIN}`,
    });
    const centre = body({
      id: `${unit}-ttct`,
      name: `Trung tâm Chính trị ${c.name.replace('Đảng ủy ', '')}`,
      kind: 'politicalCentre',
      parentId: committee,
    });
    const sec = person(`${unit}-bithu`, unit);
    role(sec, committee, 'secretary');
    role(sec, board, 'secretary');
    const dep = person(`${unit}-phobithu`, unit);
    role(dep, committee, 'deputySecretary');
    role(dep, board, 'deputySecretary');
    role(person(`${unit}-utv`, unit), board, 'standingMember');
    role(person(`${unit}-xdd-tb`, unit), xdd, 'head');
    role(person(`${unit}-xdd-cv`, unit), xdd, 'specialist');
    role(person(`${unit}-ttct-gd`, unit), centre, 'head');

    const grassroots = body({
      id: `${unit}-cs`,
      name: `Đảng ủy cơ sở ${c.name.replace('Đảng ủy ', '')}`,
      kind: 'grassrootsCommittee',
      parentId: committee,
    });
    const gsec = person(`${unit}-cs-bithu`, unit);
    role(gsec, grassroots, 'secretary');
    role(person(`${unit}-cs-phobithu`, unit), grassroots, 'deputySecretary');
    role(person(`${unit}-cs-uv`, unit), grassroots, 'committeeMember');
    for (const k of [1, 2]) {
      const cell = body({
        id: `${unit}-cb${k}`,
        name: `Chi bộ ${k} — ${c.name.replace('Đảng ủy ', '')}`,
        kind: 'cell',
        parentId: grassroots,
      });
      const csec = person(`${unit}-cb${k}-bithu`, unit);
      role(csec, cell, 'secretary');
      role(csec, cell, 'officialMember');
      const cdep = person(`${unit}-cb${k}-phobithu`, unit);
      role(cdep, cell, 'deputySecretary');
      role(cdep, cell, 'officialMember');
      role(person(`${unit}-cb${k}-dv`, unit), cell, 'officialMember');
      // The applicant files the application and the personal history (C3, C4) in person.
      role(person(`${unit}-cb${k}-qc`, unit), cell, 'applicant');
    }
  }
  return { bodies, people, assignments, delegations: [] };
}
