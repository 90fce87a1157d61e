import { UnmappableChangeError, type SourceChange, type StoredDeadLetter } from '@verity/connector-intake';
import { changesOfDelivery } from './delivery';
import { topicOf } from './sources';

/**
 * A webhook dead letter mapped again (`verity dlq replay`): the ingestor wrote the raw body as
 * the original and `<topic>:<delivery id>` as the position, so the delivery's commands get the
 * ids its first attempt would have had. Its signature was checked when it arrived.
 */
export function replayWebhookLetter(letter: StoredDeadLetter): SourceChange[] {
  const position = letter.position ?? '';
  const colon = position.indexOf(':');
  if (letter.tenant === undefined || colon < 0)
    throw new UnmappableChangeError(`letter ${letter.id} names no tenant or no <topic>:<delivery id>`);
  const topic = position.slice(0, colon);
  const found = topicOf(letter.source, topic);
  if (!found) throw new UnmappableChangeError(`no webhook topic ${letter.source}/${topic}`);
  let body: unknown;
  try {
    body = JSON.parse(letter.original);
  } catch (error) {
    throw new UnmappableChangeError(`body is not JSON: ${(error as Error).message}`);
  }
  return changesOfDelivery(
    {
      source: found.source,
      tenant: letter.tenant,
      deliveryId: position.slice(colon + 1),
      body,
      secretId: 'dlq-replay',
    },
    found.map,
  );
}
