import { DOMAIN_ERROR_CODES, DomainError, domainError, isDomainError, isDomainErrorCode } from '../../domain/errors';

describe('DomainError', () => {
  it('carries a stable code, an English message for logs and a Vietnamese message for people', () => {
    const error = domainError('VOTE_INVALID', 'approve exceeds present', 'Số phiếu tán thành vượt số có mặt', {
      approve: 15,
      present: 14,
    });
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('DomainError');
    expect(error.code).toBe('VOTE_INVALID');
    expect(error.message).toBe('approve exceeds present');
    expect(error.messageVi).toBe('Số phiếu tán thành vượt số có mặt');
    expect(error.details).toEqual({ approve: 15, present: 14 });
  });

  it('round-trips through plain data, with and without details', () => {
    const withDetails = new DomainError('NOT_FOUND', 'no body', 'Không tìm thấy cơ quan', { bodyId: 'x' });
    const data = withDetails.toData();
    expect(JSON.parse(JSON.stringify(data))).toEqual({
      code: 'NOT_FOUND',
      message: 'no body',
      messageVi: 'Không tìm thấy cơ quan',
      details: { bodyId: 'x' },
    });
    const back = DomainError.fromData(data);
    expect(back.code).toBe('NOT_FOUND');
    expect(back.details).toEqual({ bodyId: 'x' });

    const bare = new DomainError('CONFLICT', 'twice', 'Đã ghi nhận trước đó');
    expect(bare.toData()).toEqual({ code: 'CONFLICT', message: 'twice', messageVi: 'Đã ghi nhận trước đó' });
    expect(bare.details).toBeUndefined();
  });

  it('is recognised by shape, so an error built in another realm still counts', () => {
    expect(isDomainError(domainError('INVALID_INPUT', 'bad', 'Sai'))).toBe(true);
    // What the workflow sandbox would see: same shape, different class.
    const foreign = Object.assign(new Error('bad'), { name: 'DomainError', code: 'INVALID_INPUT', messageVi: 'Sai' });
    expect(isDomainError(foreign)).toBe(true);
    expect(isDomainError(Object.assign(new Error('x'), { name: 'DomainError', code: 'NOPE', messageVi: 'x' }))).toBe(
      false
    );
    expect(isDomainError(Object.assign(new Error('x'), { name: 'DomainError', code: 'CONFLICT' }))).toBe(false);
    expect(isDomainError(new Error('plain'))).toBe(false);
    expect(isDomainError(null)).toBe(false);
    expect(isDomainError('DomainError')).toBe(false);
  });

  it('knows its codes', () => {
    expect(DOMAIN_ERROR_CODES).toContain('NOT_AUTHORISED');
    expect(new Set(DOMAIN_ERROR_CODES).size).toBe(DOMAIN_ERROR_CODES.length);
    expect(isDomainErrorCode('STEP_NOT_OPEN')).toBe(true);
    expect(isDomainErrorCode('not_authorised')).toBe(false);
    expect(isDomainErrorCode(42)).toBe(false);
  });
});
