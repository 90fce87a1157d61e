import { textTable } from './text-table';

describe('textTable', () => {
  it('pads each column to its widest cell but the last', () => {
    expect(
      textTable(
        ['ID', 'NAME', 'NOTE'],
        [
          ['1', 'a long name', 'x'],
          ['22', 'b', 'a longer note'],
        ],
      ),
    ).toBe('ID  NAME         NOTE\n' + '1   a long name  x\n' + '22  b            a longer note\n');
  });

  it('prints the header alone when there are no rows', () => {
    expect(textTable(['A', 'B'], [])).toBe('A  B\n');
  });
});
