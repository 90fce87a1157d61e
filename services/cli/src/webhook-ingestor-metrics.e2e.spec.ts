import { startTestPlatform, type TestPlatform } from './testing/test-platform';

describe('the webhook ingestor: /metrics takes a platform credential, the probes stay open', () => {
  let platform: TestPlatform;
  let url: string;

  beforeAll(async () => {
    platform = await startTestPlatform(['webhook-ingestor'], { env: { VERITY_METRICS_OPEN: 'false' } });
    url = platform.urls['webhook-ingestor']!;
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const metrics = async (headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}/metrics`, { headers });
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
  };

  it('401 without a credential, 403 without reader:metrics, the metrics with it', async () => {
    const anonymous = await metrics();
    expect(anonymous.status).toBe(401);
    expect(anonymous.type).toMatch(/application\/problem\+json/);
    expect(anonymous.body).not.toContain('verity_');
    const reader = await metrics(await platform.credential({ roles: ['reader:catalog'] }));
    expect(reader.status).toBe(403);
    expect(JSON.parse(reader.body)).toMatchObject({ code: 'insufficient_permission' });
    const operator = await metrics(await platform.credential({ roles: ['reader:metrics'] }));
    expect(operator.status).toBe(200);
    expect(operator.body).toContain('verity_webhooks_refused_total');
  });

  it('/health and /ready need none', async () => {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/ready`)).status).toBe(200);
  });
});
