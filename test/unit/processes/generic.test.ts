import type { GenericChainSpec } from '../../../domain/processes';
import { buildGenericProcess, createDefaultRegistry } from '../../../domain/processes';

/** A province's own chain: a report on a key project, from the committee up to the provincial standing board. */
const spec: GenericChainSpec = {
  code: 'bao-cao-du-an',
  titleVi: 'Báo cáo tiến độ dự án trọng điểm',
  effectiveFrom: '2026-01-01',
  basis: {
    citation: 'Quyết định của Ban Thường vụ Tỉnh ủy về theo dõi dự án trọng điểm',
    effectiveFrom: '2026-01-01',
    confirmed: false,
    note: 'Quy trình do tỉnh tự cấu hình.',
  },
  steps: [
    {
      id: 'S1',
      title: 'Đảng ủy xã lập báo cáo',
      actor: { body: { anchor: 'caseUnit' }, roles: ['secretary'], label: 'Đảng ủy xã' },
      act: 'submission',
      deadline: { unit: 'duration', iso: 'P5D' },
    },
    {
      id: 'S2',
      title: 'Ban Tổ chức Tỉnh ủy thẩm định',
      actor: {
        body: { anchor: 'province', inner: 'organizationBoard' },
        roles: ['head'],
        label: 'Ban Tổ chức Tỉnh ủy',
      },
      act: 'appraisal',
      deadline: { unit: 'workingDays', n: 10 },
      maxExtension: { unit: 'workingDays', n: 5 },
      returnReasons: [{ code: 'MISSING_DATA', labelVi: 'Thiếu số liệu' }],
      resubmitWithin: { unit: 'workingDays', n: 3 },
    },
    {
      id: 'S3',
      title: 'Ban Thường vụ Tỉnh ủy cho ý kiến',
      actor: {
        body: { anchor: 'province', inner: 'standingBoard' },
        roles: ['secretary', 'deputySecretary'],
        label: 'Ban Thường vụ Tỉnh ủy',
      },
      act: 'vote',
      vote: { base: 'convened', threshold: { op: '>', num: 1, den: 2 }, quorum: { op: '>=', num: 2, den: 3 } },
      deadline: { unit: 'calendarDays', n: 15 },
      ladder: { noticeAtDue: true, maxRounds: 0 },
    },
    {
      id: 'S4',
      title: 'Thường trực Tỉnh ủy ký kết luận',
      actor: { body: { anchor: 'province', inner: 'standing' }, roles: ['secretary'], label: 'Thường trực Tỉnh ủy' },
      act: 'signature',
      canRefuse: true,
      returnReasons: [{ code: 'UNCLEAR', labelVi: 'Cần làm rõ' }],
    },
  ],
};

describe('buildGenericProcess', () => {
  const def = buildGenericProcess(spec);
  const byId = Object.fromEntries(def.steps.map((s) => [s.id, s]));

  it('keys the chain generic:<code> as version 1 from the spec date', () => {
    expect(def).toMatchObject({
      key: 'generic:bao-cao-du-an',
      version: 1,
      effectiveFrom: '2026-01-01',
      startStep: 'S1',
    });
    expect(buildGenericProcess({ ...spec, version: 4 }).version).toBe(4);
  });

  it('chains the steps in order, with the refusals, appraisal outcomes and votes they need', () => {
    expect(def.steps.map((s) => [s.id, s.next])).toEqual([
      ['S1', { approved: 'S2' }],
      ['S2', { approved: 'S3', referred: 'S3', held: 'S2' }],
      ['S3', { approved: 'S4', refused: 'REFUSED' }],
      ['S4', { approved: 'END', refused: 'REFUSED' }],
    ]);
    expect(byId.S3!.vote).toEqual({ ...spec.steps[2]!.vote, basis: spec.basis });
    expect(byId.S4!.canRefuse).toBe(true);
    expect(byId.S1!.canRefuse).toBe(false);
  });

  it('counts deadlines from the step’s opening, ISO durations included, with the chain’s basis', () => {
    expect(byId.S1!.deadline).toEqual({
      period: { unit: 'duration', iso: 'P5D' },
      from: { event: 'stepOpened' },
      basis: spec.basis,
    });
    expect(byId.S2!.deadline!.maxExtension).toEqual({ unit: 'workingDays', n: 5 });
    expect(byId.S4!.deadline).toBeUndefined();
  });

  it('returns a dossier to the previous step’s actor', () => {
    expect(byId.S2!.onReturn).toEqual({
      returnTo: spec.steps[0]!.actor,
      reasonCodes: [{ code: 'MISSING_DATA', labelVi: 'Thiếu số liệu' }],
      resubmitWithin: { unit: 'workingDays', n: 3 },
      basis: spec.basis,
    });
    expect(byId.S4!.onReturn!.returnTo).toEqual(spec.steps[2]!.actor);
    expect(byId.S4!.onReturn!.resubmitWithin).toBeUndefined();
  });

  it('returns the first step’s dossier to its own actor', () => {
    const first = buildGenericProcess({
      ...spec,
      steps: [{ ...spec.steps[0]!, returnReasons: [{ code: 'X', labelVi: 'Lý do' }] }],
    });
    expect(first.steps[0]!.onReturn!.returnTo).toEqual(spec.steps[0]!.actor);
  });

  it('uses the step’s ladder, else the chain’s, else the short default; none without a deadline', () => {
    expect(byId.S3!.ladder).toEqual({ noticeAtDue: true, maxRounds: 0 });
    expect(byId.S1!.ladder).toMatchObject({ reminderBefore: { unit: 'workingDays', n: 2 }, maxRounds: 3 });
    expect(byId.S4!.ladder).toEqual({ noticeAtDue: false, maxRounds: 0 });
    const chainLadder = { noticeAtDue: true, maxRounds: 0 };
    expect(buildGenericProcess({ ...spec, ladder: chainLadder }).steps[0]!.ladder).toEqual(chainLadder);
  });

  it('uses a step’s own basis for its rules', () => {
    const basis = { citation: 'Quy chế riêng', effectiveFrom: '2025-12-01', confirmed: true };
    const own = buildGenericProcess({ ...spec, steps: [{ ...spec.steps[0]!, basis }] });
    expect(own.steps[0]!.deadline!.basis).toBe(basis);
  });

  it('can be registered beside the shipped processes', () => {
    expect(createDefaultRegistry([def]).resolve('generic:bao-cao-du-an', '2026-02-01')).toEqual(def);
  });

  it('refuses an inconsistent spec with a Vietnamese message', () => {
    expect(() => buildGenericProcess({ ...spec, code: 'Báo cáo' })).toThrow(
      expect.objectContaining({
        code: 'DEFINITION_INVALID',
        messageVi: expect.stringContaining('mã quy trình «generic:Báo cáo» không tồn tại') as unknown,
      }) as Error
    );
    const noVote = { ...spec, steps: [{ ...spec.steps[2]!, vote: undefined }] };
    expect(() => buildGenericProcess(noVote)).toThrow(
      expect.objectContaining({
        messageVi: expect.stringContaining('Bước «S3»: bước biểu quyết thiếu quy tắc biểu quyết.') as unknown,
      }) as Error
    );
    expect(() => buildGenericProcess({ ...spec, steps: [] })).toThrow(
      expect.objectContaining({
        messageVi: expect.stringContaining('Quy trình: bước bắt đầu «» không tồn tại.') as unknown,
      }) as Error
    );
  });
});
