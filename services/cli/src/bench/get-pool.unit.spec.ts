import { parseAnswer } from './get-pool';

const answer = (head: string, body = ''): Buffer => Buffer.from(`${head}\r\n\r\n${body}`, 'latin1');

describe('the GET pool reading an answer', () => {
  it('finds where a complete answer ends, and its status, from the Content-Length', () => {
    const data = answer('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7', '{"a":1}');
    expect(parseAnswer(data)).toEqual({ status: 200, length: data.length });
    expect(parseAnswer(answer('HTTP/1.1 404 Not Found\r\ncontent-length:0'))).toMatchObject({ status: 404 });
  });

  it('waits for the rest of the head or the body', () => {
    expect(parseAnswer(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 7\r\n'))).toBeUndefined();
    expect(parseAnswer(answer('HTTP/1.1 200 OK\r\nContent-Length: 7', '{"a"'))).toBeUndefined();
  });

  it('ends the answer at its length when more follows', () => {
    const first = answer('HTTP/1.1 200 OK\r\nContent-Length: 2', '{}');
    expect(parseAnswer(Buffer.concat([first, Buffer.from('HTTP/1.1')]))).toEqual({ status: 200, length: first.length });
  });

  it('refuses an answer without a Content-Length (chunked) or not HTTP at all', () => {
    expect(() => parseAnswer(answer('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked'))).toThrow(/Content-Length/);
    expect(() => parseAnswer(answer('SSH-2.0-OpenSSH'))).toThrow(/not an HTTP/);
  });
});
