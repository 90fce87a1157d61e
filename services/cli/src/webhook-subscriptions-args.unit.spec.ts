import { UsageError } from './errors';
import { parseWebhookSubscriptionsArgs } from './webhook-subscriptions-args';

const ID = 'whs_abcdefghijklmnop';

describe('parseWebhookSubscriptionsArgs', () => {
  it('reads create with its event types, stream and secret', () => {
    expect(
      parseWebhookSubscriptionsArgs([
        'create',
        '--url',
        'https://hooks.example.com/v',
        '--events=verity.inventory.StockReceived, verity.catalog.*',
        '--stream',
        'acme/W-1',
      ]),
    ).toEqual({
      action: 'create',
      url: 'https://hooks.example.com/v',
      eventTypes: ['verity.inventory.StockReceived', 'verity.catalog.*'],
      streamId: 'acme/W-1',
    });
  });

  it('takes one subscription id for the actions on one, two for a redelivery', () => {
    for (const action of ['show', 'delete', 'rotate', 'enable', 'disable'] as const)
      expect(parseWebhookSubscriptionsArgs([action, ID])).toEqual({ action, id: ID });
    expect(parseWebhookSubscriptionsArgs(['rotate', ID, '--overlap', '0'])).toEqual({
      action: 'rotate',
      id: ID,
      overlapSeconds: 0,
    });
    expect(parseWebhookSubscriptionsArgs(['rotate', ID, '--overlap=3600'])).toMatchObject({ overlapSeconds: 3600 });
    for (const bad of ['-1', '1.5', 'soon'])
      expect(() => parseWebhookSubscriptionsArgs(['rotate', ID, '--overlap', bad])).toThrow(/--overlap/);
    expect(parseWebhookSubscriptionsArgs(['redeliver', ID, '42'])).toEqual({
      action: 'redeliver',
      id: ID,
      deliveryId: '42',
    });
    expect(parseWebhookSubscriptionsArgs(['deliveries', ID, '--status', 'dead', '--limit', '5'])).toEqual({
      action: 'deliveries',
      id: ID,
      status: 'dead',
      limit: 5,
    });
  });

  it('names what is wrong', () => {
    const wrong = (args: string[], message: RegExp) => {
      expect(() => parseWebhookSubscriptionsArgs(args)).toThrow(UsageError);
      expect(() => parseWebhookSubscriptionsArgs(args)).toThrow(message);
    };
    wrong([], /needs create, list/);
    wrong(['create', '--url', 'https://x.example.com/'], /needs --url and --events/);
    wrong(['delete'], /takes 1 argument/);
    wrong(['delete', 'whs_nope'], /subscription id whs_nope/);
    wrong(['list', '--url', 'x'], /unknown option --url/);
    wrong(['bench', '--events', '0'], /--events 0: a whole number above 0/);
  });

  it('benches 20,000 events over 200 streams unless told otherwise', () => {
    expect(parseWebhookSubscriptionsArgs(['bench'])).toEqual({ action: 'bench', events: 20_000, streams: 200 });
  });
});
