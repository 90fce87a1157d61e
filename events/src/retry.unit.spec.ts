import { retry } from './retry';
import { VerityError } from '@verity/core';

describe('retry', () => {
  it('retries retriable errors until success', async () => {
    let calls = 0;
    const result = await retry(
      async () => {
        calls++;
        if (calls < 3) throw new VerityError('flaky', 'try again', { retriable: true });
        return 'ok';
      },
      { initialDelayMs: 1 },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('gives up at once on a non-retriable error, keeping it', async () => {
    let calls = 0;
    const error = new VerityError('broken', 'no');
    await expect(
      retry(
        async () => {
          calls++;
          throw error;
        },
        { initialDelayMs: 1 },
      ),
    ).rejects.toBe(error);
    expect(calls).toBe(1);
  });

  it('stops after the given attempts and throws the last error', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new VerityError('flaky', `#${calls}`, { retriable: true });
        },
        { attempts: 4, initialDelayMs: 1 },
      ),
    ).rejects.toThrow('#4');
    expect(calls).toBe(4);
  });
});
