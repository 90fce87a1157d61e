import { isUndefinedTable, pgErrorCode } from './pg-errors';

describe('pgErrorCode', () => {
  it("is a pg error's SQLSTATE", () => {
    expect(pgErrorCode(Object.assign(new Error('relation "x" does not exist'), { code: '42P01' }))).toBe('42P01');
  });

  it('is undefined for anything without a string code', () => {
    for (const error of [new Error('plain'), { code: 42 }, null, undefined, 'text'])
      expect(pgErrorCode(error)).toBeUndefined();
  });
});

describe('isUndefinedTable', () => {
  it('holds for 42P01 only', () => {
    expect(isUndefinedTable({ code: '42P01' })).toBe(true);
    expect(isUndefinedTable({ code: '42501' })).toBe(false);
    expect(isUndefinedTable(new Error('no code'))).toBe(false);
  });
});
