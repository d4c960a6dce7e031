/**
 * Which open cases an edit of the organisation concerns (client/services/org.ts affectedUnits), on the
 * fixture's tree: Tỉnh ủy P with its inner bodies, the commune X with its own, the grassroots committee G
 * under X and the cell K under G.
 */
import { affectedUnits } from '../../client/services/org';
import type { OrgSnapshot } from '../../domain/org';
import { BODY, buildOrg, PERSON } from './fixtures/org';

const org = buildOrg();
const ON = '2026-03-02';
const none = (): OrgSnapshot => ({ bodies: [], people: [], assignments: [], delegations: [] });
const UNDER_X = [
  BODY.grassroots,
  BODY.cell,
  BODY.commune,
  BODY.communeOrgBoard,
  BODY.communePoliticalCentre,
  BODY.communeStandingBoard,
].sort();

describe('affectedUnits', () => {
  it("a role in a cell concerns the cell's cases; in an inner body, those under its committee", () => {
    const role = (bodyId: string) => ({
      ...none(),
      assignments: [{ personId: 'moi', bodyId, role: 'officialMember' as const, from: ON }],
    });
    expect(affectedUnits(org, role(BODY.cell), ON)).toEqual([BODY.cell]);
    expect(affectedUnits(org, role(BODY.communeOrgBoard), ON)).toEqual(UNDER_X);
  });

  it('a role in a provincial body concerns every case', () => {
    const delta = {
      ...none(),
      assignments: [{ personId: 'moi', bodyId: BODY.provinceOrgBoard, role: 'specialist' as const, from: ON }],
    };
    expect(affectedUnits(org, delta, ON)).toBe('all');
  });

  it("a person's record concerns the cases under every body where they hold a role", () => {
    const person = (id: string) => ({ ...none(), people: [{ id, name: 'Tên mới', email: 'moi@example.vn' }] });
    // The commune's secretary sits in X and its standing board.
    expect(affectedUnits(org, person(PERSON.communeSecretary), ON)).toEqual(UNDER_X);
    expect(affectedUnits(org, person(PERSON.cellDeputy), ON)).toEqual([BODY.cell]);
    expect(affectedUnits(org, person(PERSON.outsider), ON)).toEqual([]);
  });

  it("a delegation concerns its body's cases, or without a body those of the delegator's roles", () => {
    const delegation = (bodyId?: string) => ({
      ...none(),
      delegations: [
        {
          id: 'uq',
          fromPersonId: PERSON.grassrootsSecretary,
          toPersonId: PERSON.grassrootsDeputy,
          from: ON,
          to: ON,
          ...(bodyId ? { bodyId } : {}),
        },
      ],
    });
    expect(affectedUnits(org, delegation(BODY.cell), ON)).toEqual([BODY.cell]);
    expect(affectedUnits(org, delegation(), ON)).toEqual([BODY.grassroots, BODY.cell].sort());
  });
});
