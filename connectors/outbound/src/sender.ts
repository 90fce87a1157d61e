import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Webhook } from 'standardwebhooks';
import { CLOUDEVENTS_CONTENT_TYPE } from './cloud-event';
import { guardedLookup, type EndpointPolicy } from './endpoint-policy';

/** What one attempt came to: a 2xx is delivered; anything else is retried or given up by the caller. */
export type SendResult =
  { ok: true; status: number } | { ok: false; status: number | null; error: string; retryAfter?: string };

export interface DeliverySenderOptions {
  policy: EndpointPolicy;
  /** How long one attempt may take, answer included. */
  timeoutMs: number;
  /** Connections kept open per endpoint host. */
  maxSockets?: number;
}

/**
 * POSTs a delivery signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`, by the `standardwebhooks` library), over connections kept alive, to an
 * address the endpoint policy allows (checked on the address connected to).
 */
export class DeliverySender {
  private readonly http: HttpAgent;
  private readonly https: HttpsAgent;

  constructor(private readonly options: DeliverySenderOptions) {
    const agent = { keepAlive: true, maxSockets: options.maxSockets ?? 64, lookup: guardedLookup(options.policy) };
    this.http = new HttpAgent(agent);
    this.https = new HttpsAgent(agent);
  }

  /**
   * The Standard Webhooks headers of a body, signed now by each secret: `webhook-signature` is
   * their space-separated list (`v1,<a> v1,<b>`), which the spec defines for rotating a secret
   * without a refused delivery; a receiver accepts when one of them verifies with its secret.
   */
  headersOf(secrets: readonly string[], webhookId: string, body: string, now = new Date()): Record<string, string> {
    return {
      'content-type': CLOUDEVENTS_CONTENT_TYPE,
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': secrets
        // Not cached: a secret past its rotation's overlap is held nowhere once the directory drops it.
        .map((secret) => new Webhook(secret).sign(webhookId, now, body))
        .join(' '),
    };
  }

  send(url: string, secrets: readonly string[], webhookId: string, body: string): Promise<SendResult> {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const request = secure ? httpsRequest : httpRequest;
    const payload = Buffer.from(body, 'utf8');
    return new Promise((resolve) => {
      // The whole attempt, not just a silent socket, is bounded: a lane's lease outlives an attempt only if it ends in time.
      const deadline = setTimeout(
        () => req.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)),
        this.options.timeoutMs,
      );
      const settle = (result: SendResult) => {
        clearTimeout(deadline);
        resolve(result);
      };
      const req = request(
        target,
        {
          method: 'POST',
          agent: secure ? this.https : this.http,
          headers: {
            ...this.headersOf(secrets, webhookId, body),
            'content-length': String(payload.length),
            'user-agent': 'verity-webhooks/1',
          },
        },
        (res: IncomingMessage) => {
          // The answer's body is not read for anything: drained so the connection is reused.
          res.resume();
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) return settle({ ok: true, status });
            const retryAfter = res.headers['retry-after'];
            settle({
              ok: false,
              status,
              error: `HTTP ${status}`,
              ...(retryAfter === undefined ? {} : { retryAfter }),
            });
          });
          res.on('error', (error) => settle({ ok: false, status: res.statusCode ?? null, error: error.message }));
        },
      );
      req.on('error', (error) => settle({ ok: false, status: null, error: error.message }));
      req.end(payload);
    });
  }

  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}
