import { createHash } from 'node:crypto';
import { fromHeaders } from '@verity/core';
import { contextTopics } from '@verity/events';
import { eventually, startTestPlatform, withCredential, type TestPlatform } from './testing/test-platform';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

describe('POST /v1/imports/<context>.<Command>', () => {
  let platform: TestPlatform;
  const eventsEnds = () => platform.endOffsets(contextTopics('inventory', platform.prefix).events);

  beforeAll(async () => {
    platform = await startTestPlatform(['command-processor', 'projector', 'query-api', 'gateway']);
  });
  afterAll(() => platform?.stop());

  async function post(
    type: string,
    body: string | Buffer,
    headers: Record<string, string> = {},
    contentType = 'text/csv',
  ): Promise<Answer> {
    const res = await fetch(`${platform.urls.gateway}/v1/imports/${type}`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...headers },
      body,
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  const csv = 'sku,location,quantity\nHTTP-A,main,4\nHTTP-B,main,x\nHTTP-A,main,6\n';

  it('imports the good rows as the credential’s tenant and actor, answers the refused ones; posting again appends nothing', async () => {
    const acme = await withCredential(platform, { 'X-Tenant-Id': 'acme', 'X-Actor': 'erp-importer' });
    const first = await post('inventory.ReceiveStock', csv, acme);
    const fileId = createHash('sha256').update(csv).digest('hex').slice(0, 16);
    expect(first).toMatchObject({
      status: 200,
      body: { fileId, rows: 3, imported: 2, repeated: 0, rejected: 0, invalid: 1, pending: 0 },
    });
    expect(first.body.refused).toEqual([
      {
        row: 2,
        outcome: 'invalid',
        fields: { sku: 'HTTP-B', location: 'main', quantity: 'x' },
        problem: expect.objectContaining({ fields: [expect.objectContaining({ path: 'quantity' })] }) as unknown,
      },
    ]);
    const stock = await eventually(async () => {
      const res = await fetch(`${platform.urls['query-api']}/v1/inventory/HTTP-A`, { headers: acme });
      const body = res.status === 200 ? ((await res.json()) as { totals: { onHand: number } }) : undefined;
      return body?.totals.onHand === 10 ? body : undefined;
    });
    expect(stock.totals.onHand).toBe(10);
    const [event] = await platform
      .readTopic(contextTopics('inventory', platform.prefix).events, (messages) =>
        messages.some((m) => fromHeaders(m.headers).causationId === `import:${fileId}:1`),
      )
      .then((messages) => messages.filter((m) => fromHeaders(m.headers).causationId === `import:${fileId}:1`));
    expect(fromHeaders(event!.headers)).toMatchObject({
      subject: 'acme/HTTP-A',
      actor: 'erp-importer',
      tenant: 'acme',
    });
    // Scoped by the credential's tenant: another tenant has no such SKU.
    const other = await fetch(`${platform.urls['query-api']}/v1/inventory/HTTP-A`, {
      headers: await withCredential(platform, { 'X-Tenant-Id': 'other' }),
    });
    expect(other.status).toBe(404);

    const ends = await eventsEnds();
    const again = await post('inventory.ReceiveStock', csv, acme);
    expect(again).toMatchObject({ status: 200, body: { imported: 0, repeated: 2, invalid: 1 } });
    expect(await eventsEnds()).toEqual(ends);

    const ndjson = await post(
      'inventory.TransferStock',
      '{"sku":"HTTP-A","from":"main","to":"main","quantity":1}\n',
      acme,
      'application/x-ndjson',
    );
    expect(ndjson).toMatchObject({
      status: 200,
      body: { rows: 1, rejected: 1, refused: [{ row: 1, outcome: 'rejected', problem: { code: 'same_location' } }] },
    });
  }, 60_000);

  it('refuses without a credential (401), without write on the context (403), and bad input (400, 404, 413, 415), writing nothing', async () => {
    const ends = await eventsEnds();
    const expectProblem = (answer: Answer, status: number, code: string) =>
      expect({ status: answer.status, code: answer.body.code }).toEqual({ status, code });

    expectProblem(await post('inventory.ReceiveStock', csv), 401, 'unauthenticated');
    const reader = await platform.credential({ tenant: 'acme', roles: ['reader'] });
    expectProblem(await post('inventory.ReceiveStock', csv, reader), 403, 'insufficient_permission');
    const catalogWriter = await platform.credential({ tenant: 'acme', roles: ['writer:catalog'] });
    expectProblem(await post('inventory.ReceiveStock', csv, catalogWriter), 403, 'insufficient_permission');
    const inventoryWriter = await platform.credential({ tenant: 'acme', roles: ['writer:inventory'] });
    expectProblem(
      await post('sources.SetAuthorityRule', 'field,owners\n', inventoryWriter),
      403,
      'insufficient_permission',
    );

    expectProblem(await post('inventory.Teleport', csv, inventoryWriter), 404, 'unknown_command_type');
    expectProblem(await post('access.IssueApiKey', csv, inventoryWriter), 404, 'unknown_command_type');
    expectProblem(
      await post('inventory.ReceiveStock', csv, inventoryWriter, 'application/json'),
      415,
      'unsupported_media_type',
    );
    const broken = await post(
      'inventory.ReceiveStock',
      'sku,location,quantity\nA,main,1\n"B,main,2\n',
      inventoryWriter,
    );
    expectProblem(broken, 400, 'unreadable_file');
    expectProblem(
      await post('inventory.ReceiveStock', 'sku,,quantity\nA,main,1\n', inventoryWriter),
      400,
      'unreadable_file',
    );
    const big = Buffer.from(`sku,location,quantity\n${'BIG-1,main,1\n'.repeat(100_000)}`);
    expectProblem(await post('inventory.ReceiveStock', big, inventoryWriter), 413, 'body_too_large');

    expect(await eventsEnds()).toEqual(ends);
  }, 60_000);
});
