import { UnreadableFileError, formatOfFileName, readRows, type ImportFormat, type ReadRow } from './read-rows';
import { scanFile } from './scan';

async function rowsOf(text: string | string[], format: ImportFormat): Promise<ReadRow[]> {
  const chunks = (typeof text === 'string' ? [text] : text).map((t) => Buffer.from(t));
  const rows: ReadRow[] = [];
  for await (const row of readRows(chunks as unknown as AsyncIterable<Buffer>, format)) rows.push(row);
  return rows;
}

async function* bytes(...parts: string[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.from(part);
}

describe('readRows', () => {
  it('reads a CSV by its header, quoted cells included, numbering rows from 1 after the header', async () => {
    expect(await rowsOf('\uFEFFsku,location,quantity\nA-1,main,5\n\n"B,2","north ""dock""",7\n', 'csv')).toEqual([
      { row: 1, fields: { sku: 'A-1', location: 'main', quantity: '5' } },
      { row: 2, fields: { sku: 'B,2', location: 'north "dock"', quantity: '7' } },
    ]);
  });

  it('refuses a CSV whose quoting is broken, a row of another width, or a header with a blank or repeated column', async () => {
    await expect(rowsOf('sku,quantity\n"A-1,5\n', 'csv')).rejects.toThrow(UnreadableFileError);
    await expect(rowsOf('sku,quantity\nA-1,5,9\n', 'csv')).rejects.toThrow(UnreadableFileError);
    await expect(rowsOf('sku,,quantity\nA,b,5\n', 'csv')).rejects.toThrow(/column 2 has no name/);
    await expect(rowsOf('sku,sku\nA,B\n', 'csv')).rejects.toThrow(/sku appears twice/);
  });

  it('reads NDJSON split anywhere across chunks, a line that is no JSON object a row of its own', async () => {
    expect(await rowsOf(['{"sku":"A","qua', 'ntity":5}\r\n\n[1]\n{nope\n{"sku":"\u00e9"}'], 'ndjson')).toEqual([
      { row: 1, fields: { sku: 'A', quantity: 5 } },
      { row: 2, unreadable: '[1]', reason: 'not a JSON object' },
      { row: 3, unreadable: '{nope', reason: expect.stringMatching(/^not JSON: /) as unknown },
      { row: 4, fields: { sku: 'é' } },
    ]);
  });

  it('keeps a UTF-8 character split between two chunks whole', async () => {
    const bytesOf = Buffer.from('{"sku":"\u00e9"}\n');
    const rows: ReadRow[] = [];
    async function* split(): AsyncGenerator<Buffer> {
      yield bytesOf.subarray(0, 9);
      yield bytesOf.subarray(9);
    }
    for await (const row of readRows(split(), 'ndjson')) rows.push(row);
    expect(rows).toEqual([{ row: 1, fields: { sku: 'é' } }]);
  });

  it('tells the format by the file name', () => {
    expect(['a.csv', 'B.CSV', 'c.ndjson', 'd.jsonl', 'e.json', 'f'].map(formatOfFileName)).toEqual([
      'csv',
      'csv',
      'ndjson',
      'ndjson',
      undefined,
      undefined,
    ]);
  });
});

describe('scanFile', () => {
  it('counts the rows and names the file by its bytes, however they are chunked', async () => {
    const one = await scanFile(bytes('sku,quantity\nA,1\nB,2\n'), 'csv');
    expect(one).toEqual({ fileId: expect.stringMatching(/^[0-9a-f]{16}$/) as unknown, rows: 2 });
    expect(await scanFile(bytes('sku,quan', 'tity\nA,1\nB,2\n'), 'csv')).toEqual(one);
    expect((await scanFile(bytes('sku,quantity\nA,1\nB,3\n'), 'csv')).fileId).not.toBe(one.fileId);
  });

  it('fails on a broken CSV before the caller sends anything', async () => {
    await expect(scanFile(bytes('sku,quantity\nA,1\n"B,2\n'), 'csv')).rejects.toThrow(UnreadableFileError);
  });
});
