import { nonLoopback } from './loopback';

describe('loopback check', () => {
  it('accepts the local stack in every spelling', () => {
    expect(
      nonLoopback([
        '127.0.0.1:9092',
        'localhost:9092',
        'http://127.0.0.1:8081/apis/ccompat/v7',
        'postgres://verity:verity@127.0.0.1:5442/verity',
        'redis://[::1]:6380',
      ]),
    ).toEqual([]);
  });

  it('names every endpoint on another machine', () => {
    expect(
      nonLoopback(['kafka.internal:9092', '10.0.0.5:9092', 'redis://cache.example.com:6379', '127.0.0.1:9092']),
    ).toEqual(['kafka.internal:9092', '10.0.0.5:9092', 'redis://cache.example.com:6379']);
  });
});
