import { attributed, lineTail, splitLines } from './output-lines';

describe('a child process output, line by line', () => {
  it('joins a line split across chunks and keeps an unfinished one until the next chunk or the end', () => {
    const lines: string[] = [];
    const splitter = splitLines((line) => lines.push(line));
    splitter.push('{"msg":"one"}\n{"ms');
    expect(lines).toEqual(['{"msg":"one"}']);
    splitter.push('g":"two"}\n\nthree');
    expect(lines).toEqual(['{"msg":"one"}', '{"msg":"two"}', '']);
    splitter.end();
    splitter.end();
    expect(lines).toEqual(['{"msg":"one"}', '{"msg":"two"}', '', 'three']);
  });

  it('keeps the last lines only', () => {
    const tail = lineTail(2);
    for (const line of ['a', 'b', 'c']) tail.add(line);
    expect(tail.lines()).toEqual(['b', 'c']);
  });

  it('passes JSON log lines unchanged and prefixes the others with the service', () => {
    expect(attributed('gateway', '{"level":30,"service":"gateway"}')).toBe('{"level":30,"service":"gateway"}');
    expect(attributed('gateway', '    at Server.listen (node:net:1)')).toBe(
      '[gateway]     at Server.listen (node:net:1)',
    );
  });
});
