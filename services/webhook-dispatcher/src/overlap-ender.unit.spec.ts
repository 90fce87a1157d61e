import type { WebhookSubscriptionView } from '@verity/domain';
import { createLogger } from '@verity/events';
import { startOverlapEnder } from './overlap-ender';

const subscription = (until?: string): WebhookSubscriptionView => ({
  subscriptionId: 'whs_aaaaaaaaaaaaaaaa',
  tenant: 'acme',
  url: 'https://hooks.example.com/',
  eventTypes: ['verity.inventory.*'],
  createdAt: '2026-12-01T00:00:00.000Z',
  enabled: true,
  sealed: { kek: '0', iv: '0', ciphertext: '0', tag: '0' },
  ...(until === undefined ? {} : { previous: { sealed: { kek: '0', iv: '0', ciphertext: '1', tag: '0' }, until } }),
});

describe('the overlap ender', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-12-04T10:00:00.000Z') }));
  afterEach(() => jest.useRealTimers());

  it('asks once an overlap is over, once per overlap, and again after a failed request', async () => {
    let held = [subscription('2026-12-04T10:00:02.000Z')];
    const asked: string[] = [];
    let fail = true;
    const ender = startOverlapEnder({
      directory: { list: () => held },
      everyMs: 1_000,
      end: async (s, until) => {
        asked.push(`${s.subscriptionId} ${until}`);
        if (fail) throw new Error('broker down');
      },
      logger: createLogger('test', 'silent'),
    });
    await jest.advanceTimersByTimeAsync(1_000);
    expect(asked).toEqual([]);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(asked).toHaveLength(1);
    fail = false;
    await jest.advanceTimersByTimeAsync(3_000);
    expect(asked).toHaveLength(2);
    // Decided: the directory no longer shows it, and nothing more is asked.
    held = [subscription()];
    await jest.advanceTimersByTimeAsync(3_000);
    expect(asked).toHaveLength(2);
    await ender.stop();
  });
});
