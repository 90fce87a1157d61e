import type { CommandEnvelope } from '@verity/core';
import { contextTopics } from '@verity/events';
import { parseApiKey } from '@verity/service-kit';
import { createService, type NamedService } from './services';
import { startTestPlatform, type TestPlatform } from './testing/test-platform';

const TENANT = 'acme';
const KEYS = '/v1/admin/api-keys';

/** A key as the admin API shows it. */
interface KeyBody {
  keyId: string;
  family: string;
  tenant: string;
  roles: string[];
  name?: string;
  issuedAt?: string;
  expiresAt?: string;
  revokedAt?: string;
  key?: string;
  replaces?: string;
  commandId?: string;
  code?: string;
  keys: KeyBody[];
  errors: { path: string }[];
}
type Answer = { status: number; headers: Headers; body: KeyBody; text: string };

describe('admin API of API keys (issue 10)', () => {
  let platform: TestPlatform;
  /** A second gateway instance: a key revoked through one is refused by the other. */
  let other: NamedService;
  let otherUrl: string;
  let admin: Record<string, string>;

  const request = async (
    base: string,
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<Answer> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      body: (text ? JSON.parse(text) : {}) as KeyBody,
    };
  };
  const gateway = (method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: unknown) =>
    request(platform.urls.gateway!, method, path, headers, body);

  /** Sends a command with the key; its status tells whether the gateway took the key. */
  const useKey = (key: string, base = platform.urls.gateway!, sku = 'SKU-KEY') =>
    request(
      base,
      'POST',
      '/v1/commands/inventory.ReceiveStock',
      { authorization: `Bearer ${key}` },
      {
        sku,
        location: 'lyon',
        quantity: 1,
      },
    );

  beforeAll(async () => {
    platform = await startTestPlatform(['command-processor', 'gateway']);
    other = createService('gateway', platform.env);
    otherUrl = (await other.start()).url;
    admin = await platform.credential({
      tenant: TENANT,
      roles: ['admin:access', 'writer:inventory'],
      subject: 'key-admin',
    });
  });
  afterAll(async () => {
    await other?.stop();
    await platform?.stop();
  });

  it('create → works on every gateway; rotate → old and new work; revoke → refused within 2 s; list shows no hashes', async () => {
    const created = await gateway('POST', KEYS, admin, {
      roles: ['writer:inventory'],
      name: 'ERP connector',
      expiresAt: '2099-01-01T00:00:00+01:00',
    });
    expect(created).toMatchObject({
      status: 201,
      body: {
        tenant: TENANT,
        roles: ['writer:inventory'],
        name: 'ERP connector',
        expiresAt: '2098-12-31T23:00:00.000Z',
        commandId: expect.any(String),
      },
    });
    const first = created.body.key as string;
    expect(parseApiKey(first)?.keyId).toBe(created.body.keyId);
    expect(created.body).not.toHaveProperty('hash');
    expect(created.body.family).toBe(created.body.keyId);

    const sent = await useKey(first);
    expect(sent.status).toBe(200);
    // The key's id is the actor, on the commands topic too.
    const outcome = await request(platform.urls.gateway!, 'GET', `/v1/commands/${sent.body.commandId}`, {
      'x-api-key': first,
    });
    expect(outcome).toMatchObject({ status: 200, body: { status: 'accepted' } });
    const commands = await platform.readTopic(contextTopics('inventory', platform.prefix).commands, (ms) =>
      ms.some((m) => JSON.parse(m.value!.toString()).commandId === sent.body.commandId),
    );
    const envelope = commands
      .map((m) => JSON.parse(m.value!.toString()) as CommandEnvelope)
      .find((e) => e.commandId === sent.body.commandId);
    expect(envelope?.metadata.actor).toBe(created.body.keyId);
    // The other instance learns the key from the access state topic.
    await expect(waitForStatus(() => useKey(first, otherUrl, 'SKU-OTHER'), 200)).resolves.toBeLessThan(2_000);

    const rotated = await gateway('POST', `${KEYS}/${created.body.keyId}/rotate`, admin);
    expect(rotated).toMatchObject({
      status: 201,
      body: { replaces: created.body.keyId, family: created.body.keyId, roles: ['writer:inventory'] },
    });
    const second = rotated.body.key as string;
    expect(second).not.toBe(first);
    expect((await useKey(first)).status).toBe(200);
    expect((await useKey(second)).status).toBe(200);

    const listed = await gateway('GET', KEYS, admin);
    expect(listed.status).toBe(200);
    const ids = (listed.body.keys as { keyId: string }[]).map((k) => k.keyId);
    expect(ids).toEqual(expect.arrayContaining([created.body.keyId, rotated.body.keyId]));
    expect(listed.body.keys.find((k: { keyId: string }) => k.keyId === created.body.keyId)).toMatchObject({
      name: 'ERP connector',
      roles: ['writer:inventory'],
      issuedAt: expect.any(String),
      expiresAt: '2098-12-31T23:00:00.000Z',
    });
    expect(listed.text).not.toMatch(/"hash"|"salt"/);

    const revoked = await gateway('POST', `${KEYS}/${created.body.keyId}/revoke`, admin);
    expect(revoked).toMatchObject({ status: 200, body: { keyId: created.body.keyId, revokedAt: expect.any(String) } });
    const replied = Date.now();
    // The instance that revoked it refuses it at once; the other within 2 s of the reply.
    expect(await useKey(first)).toMatchObject({ status: 401, body: { code: 'invalid_credential' } });
    const refusedAfter = await waitForStatus(() => useKey(first, otherUrl, 'SKU-OTHER'), 401);
    expect(Date.now() - replied).toBeLessThan(2_000);
    expect(refusedAfter).toBeLessThan(2_000);
    expect((await useKey(second, otherUrl, 'SKU-OTHER')).status).toBe(200);
    const after = await gateway('GET', KEYS, admin);
    expect(after.body.keys.find((k) => k.keyId === created.body.keyId)?.revokedAt).toBe(revoked.body.revokedAt);
  });

  it('answers 401 without a credential, 403 without admin:access or beyond the caller’s roles', async () => {
    expect(await gateway('GET', KEYS, {})).toMatchObject({ status: 401, body: { code: 'unauthenticated' } });
    expect((await gateway('GET', KEYS, {})).headers.get('www-authenticate')).toMatch(/^Bearer/);
    const writer = await platform.credential({ tenant: TENANT, roles: ['writer', 'admin:inventory'] });
    for (const [method, path, body] of [
      ['POST', KEYS, { roles: ['reader'] }],
      ['GET', KEYS, undefined],
      ['POST', `${KEYS}/aaaaaaaaaaaaaaaaaaaa/rotate`, undefined],
      ['POST', `${KEYS}/aaaaaaaaaaaaaaaaaaaa/revoke`, undefined],
    ] as const)
      expect(await gateway(method, path, writer, body)).toMatchObject({
        status: 403,
        body: { code: 'insufficient_permission', missingPermission: 'admin:access' },
      });
    // An access admin hands out only what it holds itself.
    for (const role of ['admin', 'writer:catalog', 'platform-operator'])
      expect(await gateway('POST', KEYS, admin, { roles: ['reader:inventory', role] })).toMatchObject({
        status: 403,
        body: { code: 'insufficient_permission', missingPermission: role },
      });
    expect((await gateway('POST', KEYS, admin, { roles: ['reader:inventory', 'act-as'] })).status).toBe(201);
    // A key of wider roles cannot be rotated into the hands of a narrower admin either.
    const wide = await gateway('POST', KEYS, await platform.credential({ tenant: TENANT }), { roles: ['admin'] });
    expect(wide.status).toBe(201);
    expect(await gateway('POST', `${KEYS}/${wide.body.keyId}/rotate`, admin)).toMatchObject({
      status: 403,
      body: { missingPermission: 'admin' },
    });
    expect(await gateway('GET', KEYS, { ...admin, 'X-Tenant-Id': 'globex' })).toMatchObject({
      status: 403,
      body: { code: 'foreign_tenant' },
    });
  });

  it('answers 400 to bad input, 404 to an unknown key or another tenant’s, 422 to an expiry past', async () => {
    const bad: [unknown, string][] = [
      [{}, 'roles'],
      [{ roles: [] }, 'roles'],
      [{ roles: ['owner'] }, 'roles.0'],
      [{ roles: ['reader:inventory'], expiresAt: 'tomorrow' }, 'expiresAt'],
      [{ roles: ['reader:inventory'], secret: 'mine' }, ''],
      [{ roles: ['reader:inventory'], name: '' }, 'name'],
    ];
    for (const [body, path] of bad) {
      const res = await gateway('POST', KEYS, admin, body);
      expect([JSON.stringify(body), res.status, res.body.code]).toEqual([
        JSON.stringify(body),
        400,
        'validation_failed',
      ]);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect(await gateway('POST', KEYS, admin, '{"roles":')).toMatchObject({ status: 400 });
    expect(
      await request(platform.urls.gateway!, 'POST', KEYS, { ...admin, 'content-type': 'text/plain' }, 'roles=reader'),
    ).toMatchObject({ status: 415 });
    expect(
      await gateway('POST', KEYS, admin, { roles: ['reader:inventory'], expiresAt: '2020-01-01T00:00:00Z' }),
    ).toMatchObject({
      status: 422,
      body: { code: 'expiry_not_in_future' },
    });

    expect(await gateway('POST', `${KEYS}/aaaaaaaaaaaaaaaaaaaa/revoke`, admin)).toMatchObject({
      status: 404,
      body: { code: 'unknown_api_key' },
    });
    expect(await gateway('POST', `${KEYS}/not-a-key/rotate`, admin)).toMatchObject({ status: 404 });
    const globexAdmin = await platform.credential({ tenant: 'globex' });
    const theirs = await gateway('POST', KEYS, globexAdmin, { roles: ['reader'] });
    expect(theirs.status).toBe(201);
    for (const action of ['rotate', 'revoke'])
      expect(await gateway('POST', `${KEYS}/${theirs.body.keyId}/${action}`, admin)).toMatchObject({
        status: 404,
        body: { code: 'unknown_api_key' },
      });
    const ours = (await gateway('GET', KEYS, admin)).body.keys.map((k: { keyId: string }) => k.keyId);
    expect(ours).not.toContain(theirs.body.keyId);
    // A platform operator names the tenant it acts for.
    const operator = await platform.credential({ tenant: 'platform', roles: ['platform-operator', 'admin'] });
    const listed = await gateway('GET', KEYS, { ...operator, 'X-Tenant-Id': 'globex' });
    expect(listed.body.keys.map((k: { keyId: string }) => k.keyId)).toEqual([theirs.body.keyId]);
    // A revoked key cannot be revoked again.
    expect((await gateway('POST', `${KEYS}/${theirs.body.keyId}/revoke`, globexAdmin)).status).toBe(200);
    expect(await gateway('POST', `${KEYS}/${theirs.body.keyId}/revoke`, globexAdmin)).toMatchObject({
      status: 422,
      body: { code: 'api_key_revoked' },
    });
  });
});

/** Polls until `probe` answers `status`; resolves with the milliseconds it took, rejects after 5 s. */
async function waitForStatus(probe: () => Promise<{ status: number }>, status: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if ((await probe()).status === status) return Date.now() - started;
    if (Date.now() - started > 5_000) throw new Error(`status ${status} not seen within 5 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
