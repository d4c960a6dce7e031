import { isDomainError } from '../../../domain/errors';
import type { ProcessDefinition, StepDefinition } from '../../../domain/processes';
import {
  admissionV1,
  designationV1,
  listDefinitionProblems,
  planningV1,
  recognitionV1,
  validateDefinition,
} from '../../../domain/processes';

/** A malformed value the types would not allow, as stored data can hold. */
function bad<T>(value: unknown): T {
  return value as T;
}

function variant(base: ProcessDefinition, mutate: (def: ProcessDefinition) => void): ProcessDefinition {
  const def = JSON.parse(JSON.stringify(base)) as ProcessDefinition;
  mutate(def);
  return def;
}

function step(def: ProcessDefinition, id: string): StepDefinition {
  return def.steps.find((s) => s.id === id)!;
}

const A = admissionV1;
type Case = [string, ProcessDefinition, (def: ProcessDefinition) => void, string];

const cases: Case[] = [
  // The process itself
  ['an unknown process key', A, (d) => (d.key = bad('kết nạp')), 'Quy trình: mã quy trình «kết nạp» không tồn tại'],
  ['version 0', A, (d) => (d.version = 0), 'Quy trình: số phiên bản «0» phải là số nguyên dương.'],
  ['no title', A, (d) => (d.titleVi = ' '), 'Quy trình: thiếu tên quy trình.'],
  ['an impossible date', A, (d) => (d.effectiveFrom = '2025-02-30'), 'ngày áp dụng «2025-02-30» không hợp lệ.'],
  ['no basis', A, (d) => (d.basis = bad(undefined)), 'Quy trình: thiếu căn cứ của quy trình.'],
  ['a basis without citation', A, (d) => (d.basis.citation = ''), 'căn cứ của quy trình thiếu trích dẫn văn bản.'],
  [
    'a basis with a bad date',
    A,
    (d) => (d.basis.effectiveFrom = 'x'),
    'căn cứ của quy trình có ngày hiệu lực «x» không hợp lệ.',
  ],
  [
    'a basis in force after the version',
    A,
    (d) => (d.basis.effectiveFrom = '2026-01-01'),
    'căn cứ của quy trình có hiệu lực từ 2026-01-01, sau ngày áp dụng của phiên bản (2025-01-20).',
  ],
  [
    'an unconfirmed rule without a note',
    A,
    (d) => delete d.ladderBasis.note,
    'Quy trình: căn cứ của thang cảnh báo chưa được xác nhận nên phải có ghi chú giải thích.',
  ],
  // Steps and paths
  ['duplicate step ids', A, (d) => d.steps.push({ ...step(d, 'C3') }), 'Quy trình: mã bước «C3» bị trùng.'],
  ['an unknown start step', A, (d) => (d.startStep = 'C0'), 'Quy trình: bước bắt đầu «C0» không tồn tại.'],
  [
    'a step no path reaches',
    A,
    (d) => d.steps.push({ ...step(d, 'C3'), id: 'X', next: { approved: 'END' } }),
    'Bước «X»: không có đường nào từ bước bắt đầu dẫn tới.',
  ],
  [
    'a loop with no way to END',
    A,
    (d) => (step(d, 'C12').next.approved = 'C11'),
    'Bước «C12»: không có đường nào dẫn tới kết thúc (END).',
  ],
  ['a reserved step id', A, (d) => (step(d, 'C12').id = 'END'), 'Bước «END»: mã bước không được để trống'],
  ['a step without title', A, (d) => (step(d, 'C3').title = ''), 'Bước «C3»: thiếu tên bước.'],
  [
    'an unknown act',
    A,
    (d) => (step(d, 'C3').act = bad('meeting')),
    'Bước «C3»: loại hành động «meeting» không tồn tại.',
  ],
  // Actors
  [
    'an unknown anchor',
    A,
    (d) => (step(d, 'C5').actor.body.anchor = bad('district')),
    'Bước «C5»: người thực hiện: mốc «district» không tồn tại.',
  ],
  [
    'a negative up',
    A,
    (d) => (step(d, 'C5').actor.body.up = -1),
    'người thực hiện: số cấp đi lên «-1» phải là số nguyên không âm.',
  ],
  [
    'a body kind that does not exist',
    A,
    (d) => (step(d, 'C11').actor.body.inner = bad('districtCommittee')),
    'Bước «C11»: người thực hiện: loại cơ quan «districtCommittee» không tồn tại.',
  ],
  ['no role', A, (d) => (step(d, 'C5').actor.roles = []), 'người thực hiện: phải có ít nhất một vai trò.'],
  [
    'a role that does not exist',
    A,
    (d) => (step(d, 'C11').actor.roles = bad(['secretary', 'chairman'])),
    'Bước «C11»: người thực hiện: vai trò «chairman» không tồn tại.',
  ],
  ['an actor without label', A, (d) => (step(d, 'C5').actor.label = ''), 'người thực hiện: thiếu tên hiển thị.'],
  // Votes
  [
    'a vote step without a vote rule',
    A,
    (d) => delete step(d, 'C8').vote,
    'Bước «C8»: bước biểu quyết thiếu quy tắc biểu quyết.',
  ],
  [
    'a vote rule on a step that is not a vote',
    A,
    (d) => (step(d, 'C11').vote = step(d, 'C9').vote),
    'Bước «C11»: chỉ bước biểu quyết mới có quy tắc biểu quyết.',
  ],
  [
    'an unknown vote base',
    A,
    (d) => (step(d, 'C8').vote!.base = bad('everyone')),
    'cơ số biểu quyết «everyone» không tồn tại.',
  ],
  [
    'an unknown comparison',
    A,
    (d) => (step(d, 'C8').vote!.threshold.op = bad('≥')),
    'ngưỡng tán thành: phép so sánh «≥» không tồn tại.',
  ],
  [
    'a threshold over zero',
    A,
    (d) => (step(d, 'C8').vote!.threshold.den = 0),
    'ngưỡng tán thành: «>= 2/0» không phải phân số có mẫu số nguyên dương.',
  ],
  [
    'a threshold of 0',
    A,
    (d) => (step(d, 'C8').vote!.threshold.num = 0),
    'ngưỡng tán thành: ngưỡng «>= 0/3» phải lớn hơn 0.',
  ],
  ['a negative threshold', A, (d) => (step(d, 'C8').vote!.threshold.num = -2), 'ngưỡng «>= -2/3» phải lớn hơn 0.'],
  [
    'a threshold above 1',
    A,
    (d) => (step(d, 'C8').vote!.threshold = { op: '>=', num: 4, den: 3 }),
    'Bước «C8»: ngưỡng tán thành: ngưỡng «>= 4/3» vượt quá 1.',
  ],
  [
    'more than all',
    A,
    (d) => (step(d, 'C8').vote!.threshold = { op: '>', num: 1, den: 1 }),
    'ngưỡng tán thành: ngưỡng «> 1/1» không bao giờ đạt được.',
  ],
  [
    'a quorum above 1',
    planningV1,
    (d) => (step(d, 'P2').vote!.quorum = { op: '>=', num: 3, den: 2 }),
    'Bước «P2»: tỷ lệ có mặt: ngưỡng «>= 3/2» vượt quá 1.',
  ],
  [
    'zero vote rounds',
    A,
    (d) => (step(d, 'C8').vote!.maxRounds = 0),
    'số vòng biểu quyết «0» phải là số nguyên dương.',
  ],
  [
    'a vote failure rule on a signature',
    A,
    (d) => (step(d, 'C11').onVoteFailed = step(d, 'C8').onVoteFailed),
    'Bước «C11»: chỉ bước biểu quyết mới có quy tắc khi biểu quyết không đạt.',
  ],
  [
    'zero failed rounds',
    A,
    (d) => (step(d, 'C8').onVoteFailed!.maxRounds = 0),
    'số lần biểu quyết không đạt «0» phải là số nguyên dương.',
  ],
  [
    'round counts that disagree',
    A,
    (d) => (step(d, 'C8').onVoteFailed!.maxRounds = 2),
    'Bước «C8»: số vòng biểu quyết không khớp (3 và 2).',
  ],
  [
    'an unknown vote failure handling',
    A,
    (d) => (step(d, 'C8').onVoteFailed!.then = bad('refuse')),
    'cách xử lý «refuse» không tồn tại.',
  ],
  // Deadlines
  [
    'a negative period',
    A,
    (d) => (step(d, 'C11').deadline!.period = { unit: 'workingDays', n: -5 }),
    'Bước «C11»: hạn: thời hạn âm (-5 ngày làm việc).',
  ],
  [
    'a fractional period',
    A,
    (d) => (step(d, 'C11').deadline!.period = { unit: 'calendarDays', n: 1.5 }),
    'hạn: số «1.5» phải là số nguyên.',
  ],
  [
    'an unknown unit',
    A,
    (d) => (step(d, 'C11').deadline!.period = bad({ unit: 'weeks', n: 2 })),
    'hạn: đơn vị thời hạn «weeks» không tồn tại.',
  ],
  [
    'an invalid ISO duration',
    A,
    (d) => (step(d, 'C11').deadline!.period = { unit: 'duration', iso: '5 seconds' }),
    'hạn: thời lượng ISO 8601 «5 seconds» không hợp lệ.',
  ],
  [
    'a negative extension',
    A,
    (d) => (step(d, 'C11').deadline!.maxExtension = { unit: 'workingDays', n: -30 }),
    'gia hạn tối đa: thời hạn âm (-30 ngày làm việc).',
  ],
  [
    'an anchor on an unknown step',
    A,
    (d) => (step(d, 'C11').deadline!.from = { event: 'stepCompleted', step: 'C99' }),
    'Bước «C11»: hạn tham chiếu bước «C99» không tồn tại.',
  ],
  [
    // C12 comes after C11: its completion cannot anchor C11's deadline.
    'an anchor on a later step',
    A,
    (d) => (step(d, 'C11').deadline!.from = { event: 'stepCompleted', step: 'C12' }),
    'Bước «C11»: hạn tham chiếu bước «C12», bước này không phải lúc nào cũng hoàn thành trước bước «C11».',
  ],
  [
    'an anchor on the step itself',
    A,
    (d) => (step(d, 'C11').deadline!.from = { event: 'stepCompleted', step: 'C11' }),
    'hạn tham chiếu bước «C11», bước này không phải lúc nào cũng hoàn thành trước bước «C11».',
  ],
  [
    // With C9's escalation going straight to C11, that path skips C10: C10 does not always complete before C11.
    'an anchor on a step of a side branch',
    A,
    (d) => {
      step(d, 'C9').next.escalated = 'C11';
      step(d, 'C11').deadline!.from = { event: 'stepCompleted', step: 'C10' };
    },
    'Bước «C11»: hạn tham chiếu bước «C10», bước này không phải lúc nào cũng hoàn thành trước bước «C11».',
  ],
  [
    'an unknown anchor event',
    A,
    (d) => (step(d, 'C11').deadline!.from = bad({ event: 'stepStarted' })),
    'mốc tính hạn «stepStarted» không tồn tại.',
  ],
  [
    'a waiting period without deadline',
    recognitionV1,
    (d) => delete step(d, 'C13').deadline,
    'Bước «C13»: bước chờ hết thời hạn phải có hạn.',
  ],
  // Returns
  [
    'a return to a role that does not exist',
    A,
    (d) => (step(d, 'C11').onReturn!.returnTo.roles = bad(['clerk'])),
    'Bước «C11»: nơi nhận hồ sơ trả lại: vai trò «clerk» không tồn tại.',
  ],
  [
    'a return without reasons',
    A,
    (d) => (step(d, 'C11').onReturn!.reasonCodes = []),
    'Bước «C11»: phải có ít nhất một lý do trả lại.',
  ],
  [
    'a duplicate reason',
    A,
    (d) => step(d, 'C11').onReturn!.reasonCodes.push({ code: 'MISSING_DOCUMENT', labelVi: 'Thiếu' }),
    'Bước «C11»: lý do trả lại «MISSING_DOCUMENT» bị trùng.',
  ],
  [
    'a reason without label',
    A,
    (d) => (step(d, 'C11').onReturn!.reasonCodes[0]!.labelVi = ''),
    'lý do trả lại thiếu mã hoặc tên.',
  ],
  [
    'a redo on an unknown step',
    A,
    (d) => (step(d, 'C8').onReturn!.reasonCodes[1]!.redoFrom = 'C99'),
    'Bước «C8»: lý do trả lại «STALE_DOCUMENTS» tham chiếu bước «C99» không tồn tại.',
  ],
  [
    'a redo on a later step',
    A,
    (d) => (step(d, 'C8').onReturn!.reasonCodes[1]!.redoFrom = 'C9'),
    'lý do trả lại «STALE_DOCUMENTS» tham chiếu bước «C9», bước này không phải lúc nào cũng hoàn thành trước bước «C8».',
  ],
  [
    'a negative resubmission period',
    A,
    (d) => (step(d, 'C11').onReturn!.resubmitWithin = { unit: 'workingDays', n: -1 }),
    'thời hạn nộp lại: thời hạn âm (-1 ngày làm việc).',
  ],
  [
    'a return without basis',
    A,
    (d) => (step(d, 'C11').onReturn!.basis = bad(undefined)),
    'Bước «C11»: thiếu căn cứ của việc trả lại.',
  ],
  // Documents
  [
    'a duplicate document',
    A,
    (d) => step(d, 'C8').documents!.push({ code: 'APPLICATION', labelVi: 'Đơn' }),
    'Bước «C8»: giấy tờ «APPLICATION» bị trùng.',
  ],
  [
    'a document without label',
    A,
    (d) => (step(d, 'C3').documents![0]!.labelVi = ''),
    'Bước «C3»: giấy tờ thiếu mã hoặc tên.',
  ],
  [
    'a document age of 0',
    A,
    (d) => (step(d, 'C8').documents!.find((doc) => doc.code === 'INTRODUCTION')!.maxAgeMonths = 0),
    'thời hạn giá trị của giấy tờ «INTRODUCTION» (0 tháng) phải là số nguyên dương.',
  ],
  [
    'a document age without basis',
    A,
    (d) => (step(d, 'C3').documents![0]!.maxAgeMonths = 12),
    'Bước «C3»: thời hạn giá trị của giấy tờ «APPLICATION» thiếu căn cứ.',
  ],
  [
    'a document basis unconfirmed without note',
    A,
    (d) => (step(d, 'C2').documents![0]!.basis = { citation: 'x', effectiveFrom: '2020-01-01', confirmed: false }),
    'căn cứ của giấy tờ «AWARENESS_CERTIFICATE» chưa được xác nhận nên phải có ghi chú giải thích.',
  ],
  [
    'a stale document pointing at an unknown reason',
    A,
    (d) => (step(d, 'C8').documents![0]!.onStale = 'NOPE'),
    'giấy tờ «AWARENESS_CERTIFICATE» quá hạn dẫn tới lý do trả lại «NOPE» không có ở bước này.',
  ],
  [
    'a stale document on a step without returns',
    A,
    (d) => (step(d, 'C2').documents![0]!.onStale = 'EXPIRED_CERTIFICATE'),
    'Bước «C2»: giấy tờ «AWARENESS_CERTIFICATE» quá hạn dẫn tới lý do trả lại «EXPIRED_CERTIFICATE» không có ở bước này.',
  ],
  // After the deadline
  [
    'a late-consent rule without deadline',
    A,
    (d) => {
      delete step(d, 'C12').deadline;
      step(d, 'C12').ladder = { noticeAtDue: false, maxRounds: 0 };
    },
    'Bước «C12»: có quy tắc khi quá hạn nhưng bước không có hạn.',
  ],
  [
    'a late consent by a role that does not exist',
    A,
    (d) => (step(d, 'C12').afterDeadline!.requiresConsentOf.roles = bad(['boss'])),
    'cấp đồng ý khi quá hạn: vai trò «boss» không tồn tại.',
  ],
  // Transitions
  [
    'an unknown outcome',
    A,
    (d) => (step(d, 'C3').next = bad({ approved: 'C4', accepted: 'C4' })),
    'Bước «C3»: kết quả «accepted» không tồn tại.',
  ],
  [
    'approval leading to REFUSED',
    A,
    (d) => (step(d, 'C3').next.approved = 'REFUSED'),
    'Bước «C3»: chỉ kết quả «refused» mới dẫn tới REFUSED.',
  ],
  [
    'refusal leading to END',
    A,
    (d) => (step(d, 'C11').next.refused = 'END'),
    'Bước «C11»: kết quả «refused» không được dẫn tới END.',
  ],
  [
    'a transition to a step that does not exist',
    A,
    (d) => (step(d, 'C3').next.approved = 'C99'),
    'Bước «C3»: kết quả «approved» chuyển tới bước «C99» không tồn tại.',
  ],
  [
    'no approval transition',
    A,
    (d) => delete step(d, 'C3').next.approved,
    'Bước «C3»: thiếu chuyển tiếp khi được thông qua (approved).',
  ],
  [
    'a refusal with nowhere to go',
    A,
    (d) => delete step(d, 'C11').next.refused,
    'Bước «C11»: thiếu chuyển tiếp khi bị từ chối (refused).',
  ],
  [
    // A vote that can fail with no rule for failed rounds ends in a refusal.
    'a failing vote with nowhere to go',
    planningV1,
    (d) => delete step(d, 'P2').next.refused,
    'Bước «P2»: thiếu chuyển tiếp khi bị từ chối (refused).',
  ],
  [
    'a refusal on a step that cannot refuse',
    A,
    (d) => (step(d, 'C3').next.refused = 'REFUSED'),
    'Bước «C3»: có chuyển tiếp «refused» nhưng bước không thể từ chối.',
  ],
  [
    'an escalation with nowhere to go',
    A,
    (d) => delete step(d, 'C8').next.escalated,
    'Bước «C8»: thiếu chuyển tiếp khi chuyển lên cấp trên (escalated).',
  ],
  [
    'an escalation without a vote failure rule',
    A,
    (d) => (step(d, 'C11').next.escalated = 'C12'),
    'Bước «C11»: có chuyển tiếp «escalated» nhưng không có quy tắc khi biểu quyết không đạt.',
  ],
  [
    'an appraisal that cannot hold',
    A,
    (d) => delete step(d, 'C10').next.held,
    'Bước «C10»: bước thẩm định thiếu chuyển tiếp «held».',
  ],
  [
    'a referral outside an appraisal',
    A,
    (d) => (step(d, 'C11').next.referred = 'C12'),
    'Bước «C11»: chỉ bước thẩm định mới có chuyển tiếp «referred».',
  ],
  // Ladders
  [
    'a negative reminder',
    A,
    (d) => (step(d, 'C11').ladder.reminderBefore = { unit: 'workingDays', n: -5 }),
    'Bước «C11»: nhắc trước hạn: thời hạn âm (-5 ngày làm việc).',
  ],
  [
    'an invalid escalation duration',
    A,
    (d) => (step(d, 'C11').ladder.escalateAfter = { unit: 'duration', iso: 'PT' }),
    'cảnh báo sau hạn: thời lượng ISO 8601 «PT» không hợp lệ.',
  ],
  [
    'a negative repetition',
    A,
    (d) => (step(d, 'C11').ladder.repeatEvery = { unit: 'calendarDays', n: -1 }),
    'nhắc lại cảnh báo: thời hạn âm (-1 ngày).',
  ],
  [
    'negative ladder rounds',
    A,
    (d) => (step(d, 'C11').ladder.maxRounds = -1),
    'số lần cảnh báo «-1» phải là số nguyên không âm.',
  ],
  [
    'an escalation with no round',
    A,
    (d) => (step(d, 'C11').ladder.maxRounds = 0),
    'Bước «C11»: thang cảnh báo có mốc cảnh báo sau hạn nhưng số lần cảnh báo bằng 0.',
  ],
  [
    'a repetition without escalation',
    A,
    (d) => delete step(d, 'C11').ladder.escalateAfter,
    'Bước «C11»: thang cảnh báo có nhắc lại nhưng không có mốc cảnh báo sau hạn.',
  ],
  [
    'reminders on a step without deadline',
    A,
    (d) => (step(d, 'C5').ladder.noticeAtDue = true),
    'Bước «C5»: bước không có hạn nên thang cảnh báo không thể nhắc hay cảnh báo theo hạn.',
  ],
  // Rules
  [
    'an age range upside down',
    A,
    (d) => Object.assign(d.rules!.eligibility!, { minAgeMonths: 720, maxAgeMonths: 216 }),
    'Quy tắc: độ tuổi từ 720 đến 216 tháng không hợp lệ.',
  ],
  [
    'a negative minimum age',
    A,
    (d) => (d.rules!.eligibility!.minAgeMonths = -1),
    'độ tuổi từ -1 đến 720 tháng không hợp lệ.',
  ],
  [
    'a fractional maximum age',
    A,
    (d) => (d.rules!.eligibility!.maxAgeMonths = 720.5),
    'độ tuổi từ 216 đến 720.5 tháng không hợp lệ.',
  ],
  [
    'an age measured at an unknown step',
    A,
    (d) => (d.rules!.eligibility!.measuredAt = 'C0'),
    'Quy tắc: tuổi tính tại bước «C0» không tồn tại.',
  ],
  [
    'no over-age consent',
    A,
    (d) => (d.rules!.eligibility!.overMaxConsentVi = ''),
    'Quy tắc: thiếu cấp đồng ý khi quá tuổi.',
  ],
  [
    'an age rule without basis',
    A,
    (d) => (d.rules!.eligibility!.basis = bad(undefined)),
    'Quy tắc: thiếu căn cứ về tuổi.',
  ],
  [
    'an unknown recognition moment',
    recognitionV1,
    (d) => (d.rules!.recognition!.officialFrom = bad('decisionDate')),
    'Quy tắc: thời điểm công nhận «decisionDate» không tồn tại.',
  ],
  [
    'a recognition rule without basis',
    recognitionV1,
    (d) => (d.rules!.recognition!.basis = bad(undefined)),
    'Quy tắc: thiếu căn cứ về thời điểm công nhận.',
  ],
  [
    'a planning limit of 0',
    planningV1,
    (d) => (d.rules!.planning!.maxCadresPerPosition = 0),
    'Quy tắc: giới hạn quy hoạch phải là số nguyên dương.',
  ],
  [
    'a fractional planning limit',
    planningV1,
    (d) => (d.rules!.planning!.maxPositionsPerCadrePerLevel = 2.5),
    'Quy tắc: giới hạn quy hoạch phải là số nguyên dương.',
  ],
  [
    'a planning rule without basis',
    planningV1,
    (d) => (d.rules!.planning!.basis = bad(undefined)),
    'Quy tắc: thiếu căn cứ về giới hạn quy hoạch.',
  ],
  [
    'a freeze without label',
    designationV1,
    (d) => (d.rules!.freezeWindows![0]!.labelVi = ''),
    'Quy tắc: thời gian dừng kiện toàn thiếu tên.',
  ],
  [
    'a freeze of 0 months',
    designationV1,
    (d) =>
      (d.rules!.freezeWindows = [{ ...designationV1.rules!.freezeWindows![0]!, kind: 'beforeCongress', months: 0 }]),
    'Quy tắc: số tháng dừng trước đại hội «0» phải là số nguyên dương.',
  ],
  [
    'a fixed freeze with a bad date',
    designationV1,
    (d) => (d.rules!.freezeWindows = [fixed('2025-13-01', undefined)]),
    'Quy tắc: thời gian dừng từ «2025-13-01» đến «undefined» có ngày không hợp lệ.',
  ],
  [
    'a fixed freeze with a bad end date',
    designationV1,
    (d) => (d.rules!.freezeWindows = [fixed('2025-01-01', '2025-02-30')]),
    'thời gian dừng từ «2025-01-01» đến «2025-02-30» có ngày không hợp lệ.',
  ],
  [
    'a fixed freeze ending before it starts',
    designationV1,
    (d) => (d.rules!.freezeWindows = [fixed('2025-02-01', '2025-01-01')]),
    'Quy tắc: thời gian dừng kết thúc (2025-01-01) trước khi bắt đầu (2025-02-01).',
  ],
  [
    'an unknown freeze kind',
    designationV1,
    (d) => (d.rules!.freezeWindows = bad([{ kind: 'monthly', labelVi: 'x', basis: designationV1.basis }])),
    'Quy tắc: loại thời gian dừng «monthly» không tồn tại.',
  ],
  [
    'a freeze without basis',
    designationV1,
    (d) => (d.rules!.freezeWindows![0]!.basis = bad(undefined)),
    'Quy tắc: thiếu căn cứ của thời gian dừng kiện toàn.',
  ],
];

function fixed(from: string, until: string | undefined) {
  return { kind: 'fixed' as const, from, until, labelVi: 'Dừng theo Kết luận 118', basis: designationV1.basis };
}

describe('validateDefinition refuses inconsistent definitions', () => {
  it.each(cases)('%s', (_name, base, mutate, expected) => {
    const def = variant(base, mutate);
    expect(listDefinitionProblems(def)).toContainEqual(expect.stringContaining(expected));
    let thrown: unknown;
    try {
      validateDefinition(def);
    } catch (error) {
      thrown = error;
    }
    expect(isDomainError(thrown) && thrown.code).toBe('DEFINITION_INVALID');
    if (isDomainError(thrown)) expect(thrown.messageVi).toContain(expected);
  });

  it('reports every problem at once, in a message that names the process and version', () => {
    const def = variant(A, (d) => {
      d.version = 0;
      step(d, 'C8').vote!.threshold.num = 4;
      step(d, 'C11').actor.roles = bad(['chairman']);
    });
    const problems = [
      'Quy trình: số phiên bản «0» phải là số nguyên dương.',
      'Bước «C8»: ngưỡng tán thành: ngưỡng «>= 4/3» vượt quá 1.',
      'Bước «C11»: người thực hiện: vai trò «chairman» không tồn tại.',
    ];
    expect(listDefinitionProblems(def)).toEqual(problems);
    expect(() => validateDefinition(def)).toThrow(
      expect.objectContaining({
        code: 'DEFINITION_INVALID',
        message: 'process definition admission v0 is invalid (3 problem(s))',
        messageVi: `Định nghĩa quy trình «Kết nạp đảng viên» (phiên bản 0) không hợp lệ: ${problems.join(' ')}`,
        details: { key: 'admission', version: 0, problems },
      }) as Error
    );
  });

  it('accepts a generic key, fixed freeze windows and a step with no documents', () => {
    const def = variant(designationV1, (d) => {
      d.key = 'generic:bo-nhiem';
      d.rules!.freezeWindows = [fixed('2025-01-18', undefined), fixed('2025-01-18', '2025-10-31')];
    });
    expect(listDefinitionProblems(def)).toEqual([]);
  });
});
