import { UnmappableChangeError, deadLetterIdOf, type DeadLetter } from '@verity/connector-intake';
import { replayWebhookLetter } from './dead-letter-replay';

const letterOf = (given: Partial<DeadLetter>) => {
  const letter: DeadLetter = {
    ingestor: 'webhooks',
    source: 'netsuite',
    tenant: 'acme',
    code: 'unmappable_change',
    reason: 'data.quantity: expected number',
    position: 'inventory-change:d-42',
    original: JSON.stringify({
      event: 'inventory.updated',
      timestamp: '2025-07-15T10:30:00Z',
      data: { sku: 'WIDGET-001', quantity: 150 },
    }),
    ...given,
  };
  return { ...letter, id: deadLetterIdOf(letter), at: '2026-12-02T10:00:00.000Z' };
};

describe('replayWebhookLetter', () => {
  it('maps the delivery again under the command id of its first attempt', () => {
    const [change, ...more] = replayWebhookLetter(letterOf({}));
    expect(more).toEqual([]);
    expect(change).toMatchObject({
      type: 'inventory.AdjustStock',
      tenant: 'acme',
      commandId: 'netsuite:d-42',
      sourceSystem: 'netsuite',
      sourceTimestamp: '2025-07-15T10:30:00Z',
      payload: { sku: 'WIDGET-001', onHand: 150 },
    });
  });

  it('a body that still maps to nothing, or a letter without its place, stays unmappable', () => {
    const stillBad = letterOf({ original: JSON.stringify({ event: 'inventory.updated', data: {} }) });
    expect(() => replayWebhookLetter(stillBad)).toThrow(UnmappableChangeError);
    expect(() => replayWebhookLetter(letterOf({ original: 'not json' }))).toThrow(/not JSON/);
    expect(() => replayWebhookLetter(letterOf({ position: 'no-colon' }))).toThrow(/delivery id/);
    expect(() => replayWebhookLetter(letterOf({ position: 'teleport:d-1' }))).toThrow(/no webhook topic/);
  });
});
