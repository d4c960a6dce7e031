/** The Vietnamese e-mails of the escalation ladder and of a case's outcome: the facts each must state. */
import { caseMail, escalationMail, type CaseMailContent, type CaseMailKind } from '../../activities/mail/templates';

const base: CaseMailContent = {
  to: ['bithu@xa-duyhoa.example.vn'],
  caseId: 'C-2026/0042',
  caseTitle: 'Kết nạp quần chúng Nguyễn Thị Lan',
  processTitle: 'Kết nạp đảng viên',
  stepTitle: 'Ban Thường vụ xét, quyết định kết nạp',
  actorLabel: 'Ban Thường vụ Đảng ủy xã',
  actorNames: ['Trần Văn Bình', 'Lê Thị Hoa'],
  deadlineText: '60 ngày làm việc — hạn 03/03/2026',
  round: 1,
  caseUrl: 'https://cadreflow.example.vn/cases/C-2026%2F0042',
};

/** The facts every e-mail states, in the text and (escaped) in the HTML. */
function expectCommonFacts(kind: CaseMailKind, content: CaseMailContent = base): void {
  const mail = caseMail(kind, content);
  expect(mail.subject.startsWith('[cadreflow] ')).toBe(true);
  expect(mail.subject).not.toMatch(/[\r\n]/);
  expect(mail.to).toEqual(content.to);
  for (const fact of [
    content.caseTitle,
    content.caseId,
    content.processTitle,
    content.stepTitle,
    content.actorLabel,
    ...content.actorNames,
    content.caseUrl,
  ]) {
    expect(mail.text).toContain(fact);
    expect(mail.html).toContain(fact);
  }
  if (content.deadlineText) {
    expect(mail.text).toContain(`Thời hạn: ${content.deadlineText}`);
    expect(mail.html).toContain(content.deadlineText);
  }
  expect(mail.html).toContain(`<a href="${content.caseUrl}">Xem hồ sơ</a>`);
  expect(mail.html).toContain('<html lang="vi">');
}

describe('case e-mails', () => {
  test('reminder: nhắc hạn to the actors, with the deadline both ways', () => {
    expectCommonFacts('reminder');
    const mail = caseMail('reminder', base);
    expect(mail.subject).toBe(
      '[cadreflow] Nhắc hạn: Ban Thường vụ xét, quyết định kết nạp — Kết nạp quần chúng Nguyễn Thị Lan'
    );
    expect(mail.text).toContain('Kính gửi các đồng chí Trần Văn Bình, Lê Thị Hoa,');
    expect(mail.text).toContain('sắp đến hạn (60 ngày làm việc — hạn 03/03/2026)');
    expect(mail.text).toContain('Người phải xử lý: Ban Thường vụ Đảng ủy xã (các đồng chí Trần Văn Bình, Lê Thị Hoa)');
    expect(mail.text).not.toContain('quá hạn');
    expect(mail.html).toContain('<strong>Ban Thường vụ xét, quyết định kết nạp</strong>');
  });

  test('due: hết hạn, to the actor and the superior Ban Tổ chức, with the working days overdue', () => {
    const content = { ...base, overdueWorkingDays: 2 };
    expectCommonFacts('due', content);
    const mail = caseMail('due', content);
    expect(mail.subject).toMatch(/^\[cadreflow\] Hết hạn: /);
    expect(mail.text).toContain('Kính gửi: Ban Thường vụ Đảng ủy xã; Ban Tổ chức cấp ủy cấp trên,');
    expect(mail.text).toContain('Số ngày quá hạn: 2 ngày làm việc');
    expect(mail.text).toContain('Đến nay đã quá hạn 2 ngày làm việc.');
    expect(mail.text).toContain('Thường trực Tỉnh ủy');
  });

  test('escalation: quá hạn N ngày làm việc to Thường trực Tỉnh ủy, asking for the reason, by round', () => {
    const content = { ...base, overdueWorkingDays: 7 };
    expectCommonFacts('escalation', content);
    const first = caseMail('escalation', content);
    expect(first.subject).toBe(
      '[cadreflow] Quá hạn 7 ngày làm việc: Ban Thường vụ xét, quyết định kết nạp — Kết nạp quần chúng Nguyễn Thị Lan'
    );
    expect(first.text).toContain('Kính gửi Thường trực Tỉnh ủy,');
    expect(first.text).toContain('Số ngày quá hạn: 7 ngày làm việc');
    expect(first.text).toContain('giải trình lý do');
    expect(first.text).not.toContain('lần báo cáo thứ');

    const third = caseMail('escalation', { ...content, overdueWorkingDays: 17, round: 3 });
    expect(third.subject).toContain('Quá hạn 17 ngày làm việc');
    expect(third.subject.endsWith('(lần 3)')).toBe(true);
    expect(third.text).toContain('Đây là lần báo cáo thứ 3 về bước này.');

    // Overdue by less than a working day (an extension used, a step due today).
    expect(caseMail('escalation', { ...content, overdueWorkingDays: 0 }).text).toContain(
      'Số ngày quá hạn: chưa đến 1 ngày làm việc'
    );
  });

  test("obstacle: báo cáo vướng mắc to Thường trực Tỉnh ủy with the reporter's text", () => {
    const content = {
      ...base,
      reporterName: 'Phạm Văn Cường',
      obstacleText: 'Chưa có kết quả thẩm tra lý lịch của Công an huyện.\nĐề nghị gia hạn.',
      overdueWorkingDays: 3,
    };
    expectCommonFacts('obstacle', content);
    const mail = caseMail('obstacle', content);
    expect(mail.subject).toMatch(/^\[cadreflow\] Báo cáo vướng mắc: Ban Thường vụ xét/);
    expect(mail.text).toContain('Đồng chí Phạm Văn Cường báo cáo vướng mắc tại bước');
    expect(mail.text).toContain('> Chưa có kết quả thẩm tra lý lịch của Công an huyện.\n> Đề nghị gia hạn.');
    expect(mail.html).toContain('Chưa có kết quả thẩm tra lý lịch của Công an huyện.<br>Đề nghị gia hạn.');
    expect(mail.text).toContain('Số ngày quá hạn: 3 ngày làm việc');
  });

  test('decision: thông báo kết quả', () => {
    const content = { ...base, deadlineText: undefined, decisionText: 'Đồng ý kết nạp (7/9 phiếu tán thành)' };
    expectCommonFacts('decision', content);
    const mail = caseMail('decision', content);
    expect(mail.subject).toBe('[cadreflow] Thông báo kết quả: Kết nạp quần chúng Nguyễn Thị Lan');
    expect(mail.text).toContain('đã có kết quả tại bước “Ban Thường vụ xét, quyết định kết nạp”');
    expect(mail.text).toContain('“Đồng ý kết nạp (7/9 phiếu tán thành)”');
    expect(mail.text).not.toContain('Thời hạn:');
    expect(mail.text).not.toContain('quá hạn');
  });

  test('a single actor is addressed as đồng chí; no names falls back to the body', () => {
    expect(caseMail('reminder', { ...base, actorNames: ['Trần Văn Bình'] }).text).toContain(
      'Kính gửi đồng chí Trần Văn Bình,'
    );
    const mail = caseMail('reminder', { ...base, actorNames: [] });
    expect(mail.text).toContain('Kính gửi: Ban Thường vụ Đảng ủy xã,');
    expect(mail.text).toContain('Người phải xử lý: Ban Thường vụ Đảng ủy xã\n');
  });

  test.each<CaseMailKind>(['reminder', 'due', 'escalation', 'obstacle', 'decision'])(
    '%s: every interpolated value is HTML-escaped, and the subject stays one line',
    (kind) => {
      const evil = '<script>alert("x")</script>';
      const mail = caseMail(kind, {
        ...base,
        caseId: `id-${evil}`,
        caseTitle: `Hồ sơ ${evil}`,
        processTitle: `Quy trình ${evil}`,
        stepTitle: `Bước\r\nBcc: a@b.c ${evil}`,
        actorLabel: `Ban ${evil}`,
        actorNames: [`Tên ${evil}`],
        deadlineText: `hạn ${evil}`,
        overdueWorkingDays: 4,
        reporterName: `Người ${evil}`,
        obstacleText: `Vướng ${evil}`,
        decisionText: `Kết quả ${evil}`,
        caseUrl: `https://x.example/cases/a"onmouseover="${evil}`,
      });
      expect(mail.html).not.toContain('<script>');
      expect(mail.html).not.toContain('"onmouseover');
      expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
      expect(mail.subject).not.toMatch(/[\r\n]/);
      // The plain text keeps the values as they are.
      expect(mail.text).toContain(evil);
    }
  );
});

test('the escalation e-mail of the sign-off workflow is unchanged', () => {
  const mail = escalationMail({
    to: ['thuongtruc@tinhuy.local'],
    caseTitle: 'Hồ sơ <A>',
    caseUrl: 'https://x/cases/1',
    stepTitle: 'Quyết định kết nạp đảng viên',
    actors: ['bi-thu-1'],
    dueText: 'hạn 03/03/2026',
    overdueText: 'quá hạn 2 ngày',
  });
  expect(mail.subject).toBe('[cadreflow] Quá hạn: Quyết định kết nạp đảng viên — Hồ sơ <A>');
  expect(mail.text).toContain('Kính gửi Thường trực Tỉnh ủy');
  expect(mail.html).toContain('<strong>Quyết định kết nạp đảng viên</strong>');
  expect(mail.html).toContain('Hồ sơ &lt;A&gt;');
});
