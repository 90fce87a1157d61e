/**
 * patches/kafkajs+2.2.4.patch: a kafkajs connection's request queue checks its pending requests
 * on a timer only while some are pending. Unpatched, every connection that had answered one
 * request re-armed a 1 ms timer forever (kafkajs#1556): 3 to 4 % of a core per idle service here.
 */
interface QueuedRequest {
  entry: { correlationId: number; apiKey: number; apiName: string; apiVersion: number; resolve(): void };
  expectResponse: boolean;
  sendRequest(): void;
}
interface RequestQueue {
  throttleCheckTimeoutId: unknown;
  push(request: QueuedRequest): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  maybeThrottle(ms: number): void;
  destroy(): void;
}

const RequestQueueClass = jest.requireActual<new (options: Record<string, unknown>) => RequestQueue>(
  'kafkajs/src/network/requestQueue',
);
const silent = { debug: () => undefined, warn: () => undefined, error: () => undefined, info: () => undefined };

function newQueue(maxInFlightRequests: number | null = null): RequestQueue {
  return new RequestQueueClass({
    maxInFlightRequests,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'spec',
    broker: 'localhost:9092',
    logger: silent,
  });
}

function request(correlationId: number, sent: number[]): QueuedRequest {
  return {
    entry: { correlationId, apiKey: 1, apiName: 'Fetch', apiVersion: 11, resolve: () => undefined },
    expectResponse: true,
    sendRequest: () => sent.push(correlationId),
  };
}

describe('kafkajs request queue (patched)', () => {
  const queues: RequestQueue[] = [];
  afterEach(() => queues.splice(0).forEach((q) => q.destroy()));

  it('arms no timer once its requests are answered and nothing is pending', () => {
    const queue = newQueue();
    queues.push(queue);
    const sent: number[] = [];
    queue.push(request(1, sent));
    queue.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    expect(sent).toEqual([1]);
    expect(queue.throttleCheckTimeoutId).toBeNull();
  });

  it('sends a request held back by throttling once the throttle ends', async () => {
    const queue = newQueue();
    queues.push(queue);
    const sent: number[] = [];
    queue.push(request(1, sent));
    queue.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    queue.maybeThrottle(30);
    queue.push(request(2, sent));
    expect(sent).toEqual([1]);
    expect(queue.throttleCheckTimeoutId).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(sent).toEqual([1, 2]);
    expect(queue.throttleCheckTimeoutId).toBeNull();
  });

  it('sends a request held back by the in-flight limit when one in flight is answered', () => {
    const queue = newQueue(1);
    queues.push(queue);
    const sent: number[] = [];
    queue.push(request(1, sent));
    queue.push(request(2, sent));
    expect(sent).toEqual([1]);
    queue.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    expect(sent).toEqual([1, 2]);
  });
});
