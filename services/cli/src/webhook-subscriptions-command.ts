import { VerityError } from '@verity/core';
import { credentialHeaders } from './pollers-command';
import { parseWebhookSubscriptionsArgs } from './webhook-subscriptions-args';
import { runWebhookDeliveryBench } from './webhook-subscriptions-bench';
import { textTable } from './text-table';

export { WEBHOOK_SUBSCRIPTIONS_USAGE } from './webhook-subscriptions-args';

export interface WebhookSubscriptionsIo {
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** The gateway refused a request: its problem's code and detail, as it said them. */
export class GatewayApiError extends VerityError {
  constructor(status: number, code: string, detail: string) {
    super(code, `the gateway answered ${status}: ${detail}`, { context: { status } });
  }
}

/** The gateway could not be reached at VERITY_GATEWAY_URL. */
export class GatewayUnreachableError extends VerityError {
  constructor(url: string, cause: unknown) {
    super('gateway_unreachable', `no gateway at ${url} (VERITY_GATEWAY_URL): ${(cause as Error).message}`, { cause });
  }
}

interface SubscriptionView {
  id: string;
  url: string;
  eventTypes: string[];
  streamId?: string;
  createdAt: string;
  enabled: boolean;
  disabledReason?: string;
  secret?: string;
}

interface DeliveryView {
  deliveryId: string;
  eventType: string;
  streamId: string;
  status: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
}

export const subscriptionsTable = (subscriptions: readonly SubscriptionView[]): string =>
  textTable(
    ['ID', 'STATUS', 'EVENTS', 'STREAM', 'URL'],
    subscriptions.map((s) => [
      s.id,
      s.enabled ? 'enabled' : `disabled (${s.disabledReason ?? '-'})`,
      s.eventTypes.join(','),
      s.streamId ?? '*',
      s.url,
    ]),
  );

export const deliveriesTable = (deliveries: readonly DeliveryView[]): string =>
  textTable(
    ['DELIVERY', 'STATUS', 'ATTEMPTS', 'LAST', 'NEXT ATTEMPT', 'STREAM', 'EVENT'],
    deliveries.map((d) => [
      d.deliveryId,
      d.status,
      String(d.attempts),
      d.lastError ?? (d.lastStatus === null ? '-' : String(d.lastStatus)),
      d.nextAttemptAt ?? '-',
      d.streamId,
      d.eventType,
    ]),
  );

/** `verity webhook-subscriptions ...`, through the gateway's API with the tenant admin's credential. */
export async function runWebhookSubscriptions(
  args: readonly string[],
  io: WebhookSubscriptionsIo = { env: process.env, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const parsed = parseWebhookSubscriptionsArgs(args);
  if (parsed.action === 'bench') {
    await runWebhookDeliveryBench(parsed, io);
    return 0;
  }
  const base = (io.env.VERITY_GATEWAY_URL ?? 'http://localhost:8080').replace(/\/+$/, '');
  const headers = await credentialHeaders(io.env);

  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(`${base}/v1/webhook-subscriptions${path}`, {
        method,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new GatewayUnreachableError(base, error);
    }
    const text = await res.text();
    const answer: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const problem = (answer ?? {}) as { code?: string; detail?: string };
      throw new GatewayApiError(res.status, problem.code ?? 'gateway_error', problem.detail ?? res.statusText);
    }
    return answer as T;
  };
  /** A new secret alone on the last line of stdout, as `verity keys create` prints a key. */
  const printSecret = (secret: string | undefined) => {
    if (secret === undefined) return;
    io.stderr.write('The secret is shown once, now: give it to the receiver, which verifies deliveries with it.\n');
    io.stdout.write(`${secret}\n`);
  };

  switch (parsed.action) {
    case 'create': {
      const { action: _action, ...body } = parsed;
      const created = await call<SubscriptionView>('POST', '', body);
      io.stdout.write(`subscription ${created.id}: ${created.eventTypes.join(', ')} to ${created.url}\n`);
      printSecret(created.secret);
      return 0;
    }
    case 'list': {
      const { subscriptions } = await call<{ subscriptions: SubscriptionView[] }>('GET', '');
      io.stdout.write(subscriptionsTable(subscriptions));
      return 0;
    }
    case 'show':
      io.stdout.write(`${JSON.stringify(await call<SubscriptionView>('GET', `/${parsed.id}`), null, 2)}\n`);
      return 0;
    case 'delete':
      await call('DELETE', `/${parsed.id}`);
      io.stdout.write(`subscription ${parsed.id} deleted\n`);
      return 0;
    case 'rotate': {
      const rotated = await call<SubscriptionView & { previousSecretUntil?: string }>(
        'POST',
        `/${parsed.id}/rotate`,
        parsed.overlapSeconds === undefined ? {} : { overlapSeconds: parsed.overlapSeconds },
      );
      io.stdout.write(
        `subscription ${parsed.id}: deliveries are signed with the new secret from now on` +
          (rotated.previousSecretUntil === undefined
            ? ''
            : `, and with the previous one too until ${rotated.previousSecretUntil}`) +
          '\n',
      );
      printSecret(rotated.secret);
      return 0;
    }
    case 'enable':
    case 'disable':
      await call('POST', `/${parsed.id}/${parsed.action}`, {});
      io.stdout.write(`subscription ${parsed.id} ${parsed.action}d\n`);
      return 0;
    case 'deliveries': {
      const query = new URLSearchParams({
        ...(parsed.status === undefined ? {} : { status: parsed.status }),
        ...(parsed.limit === undefined ? {} : { limit: String(parsed.limit) }),
      }).toString();
      const { deliveries } = await call<{ deliveries: DeliveryView[] }>(
        'GET',
        `/${parsed.id}/deliveries${query ? `?${query}` : ''}`,
      );
      io.stdout.write(deliveriesTable(deliveries));
      return 0;
    }
    case 'redeliver': {
      const queued = await call<DeliveryView>(
        'POST',
        `/${parsed.id}/deliveries/${encodeURIComponent(parsed.deliveryId)}/redeliver`,
        {},
      );
      io.stdout.write(`delivery ${parsed.deliveryId} queued again as ${queued.deliveryId}\n`);
      return 0;
    }
  }
}
