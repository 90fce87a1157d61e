import { contextTopics } from '@verity/events';
import { postCommand, startTestPlatform, type TestPlatform } from './testing/test-platform';

const REGISTER = 'aliases.RegisterAlias';
const DEACTIVATE = 'aliases.DeactivateAlias';
const RESOLVE_CONFLICT = 'aliases.ResolveAliasConflict';
const TENANT = 'owners';

type Reply = Awaited<ReturnType<typeof postCommand>>;

describe('alias ownership through the real stack: gateway → Kafka → processor → projector → query-api', () => {
  let platform: TestPlatform;
  let eventsTopic: string;
  /** Two writers of the same tenant, an admin of it, and a reader for the query side. */
  let alice: Record<string, string>;
  let bob: Record<string, string>;
  let admin: Record<string, string>;
  let reader: Record<string, string>;

  beforeAll(async () => {
    platform = await startTestPlatform();
    eventsTopic = contextTopics('aliases', platform.prefix).events;
    const as = (subject: string, roles: string[]) => platform.credential({ tenant: TENANT, roles, subject });
    [alice, bob, admin, reader] = await Promise.all([
      as('alice', ['writer']),
      as('bob', ['writer']),
      as('root', ['admin']),
      as('auditor', ['reader']),
    ]);
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const send = (type: string, payload: Record<string, unknown>, credential: Record<string, string>) =>
    postCommand(platform, type, payload, { ...credential, 'X-Tenant-Id': TENANT });

  /** A query-api read as of `after` (read-your-writes through its consistency token). */
  async function read(path: string, after?: Reply): Promise<{ status: number; body: Record<string, unknown> }> {
    const token = after?.body.consistencyToken;
    const res = await fetch(`${platform.urls['query-api']}${path}`, {
      headers: { ...reader, ...(typeof token === 'string' ? { 'X-Consistency-Token': token } : {}) },
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }
  const resolve = (alias: string, after?: Reply) => read(`/api/aliases/resolve/backend/${alias}`, after);
  const listed = async (alias: string, after: Reply) =>
    ((await read('/v1/aliases?context=backend', after)).body.items as Record<string, unknown>[]).find(
      (item) => item.alias === alias,
    );
  const conflicts = async (after: Reply) =>
    (await read('/v1/aliases/conflicts', after)).body.items as Record<string, unknown>[];

  async function accepted(type: string, payload: Record<string, unknown>, credential: Record<string, string>) {
    const reply = await send(type, payload, credential);
    expect({ status: reply.status, body: reply.body }).toMatchObject({ status: 200 });
    return reply;
  }

  /** The command is refused as not_alias_owner, naming `details`, and the events topic stays as it was. */
  async function refusedAsNotOwner(
    type: string,
    payload: Record<string, unknown>,
    credential: Record<string, string>,
    details: Record<string, unknown>,
  ): Promise<void> {
    const before = await platform.endOffsets(eventsTopic);
    const reply = await send(type, payload, credential);
    expect(reply.status).toBe(403);
    expect(reply.headers.get('content-type')).toContain('application/problem+json');
    expect(reply.body).toMatchObject({ code: 'not_alias_owner', ...details });
    // The rejection is decided in the processor's transaction, committed before the reply: nothing followed it.
    expect(await platform.endOffsets(eventsTopic)).toEqual(before);
  }

  it("the owner is the credential's subject; a writer cannot register in another's name", async () => {
    const registered = await accepted(REGISTER, { alias: 'orders', context: 'backend', canonical: 'order-svc' }, alice);
    expect(await listed('orders', registered)).toMatchObject({ owner: 'alice', canonical: 'order-svc' });

    await refusedAsNotOwner(
      REGISTER,
      { alias: 'invoices', context: 'backend', canonical: 'inv-svc', owner: 'alice' },
      bob,
      {
        alias: 'invoices',
        context: 'backend',
        owner: 'alice',
      },
    );
    // An admin may name the owner.
    const named = await accepted(
      REGISTER,
      { alias: 'invoices', context: 'backend', canonical: 'inv-svc', owner: 'alice' },
      admin,
    );
    expect(await listed('invoices', named)).toMatchObject({ owner: 'alice' });
  });

  it("another writer cannot deactivate alice's alias (403, nothing appended, it still resolves); an admin can", async () => {
    await refusedAsNotOwner(DEACTIVATE, { alias: 'orders', context: 'backend' }, bob, {
      alias: 'orders',
      context: 'backend',
      owner: 'alice',
    });
    expect(await resolve('orders')).toEqual({ status: 200, body: { canonical_name: 'order-svc' } });

    const deactivated = await accepted(DEACTIVATE, { alias: 'orders', context: 'backend' }, admin);
    expect(deactivated.body).toMatchObject({ events: [{ type: 'verity.aliases.AliasDeactivated' }] });
    expect((await resolve('orders', deactivated)).status).toBe(404);
  });

  it('the owner deactivates her own alias', async () => {
    const deactivated = await accepted(DEACTIVATE, { alias: 'invoices', context: 'backend' }, alice);
    expect((await resolve('invoices', deactivated)).status).toBe(404);
  });

  it("another writer cannot resolve a conflict over alice's alias, not even the one who proposed it; an admin can", async () => {
    await accepted(REGISTER, { alias: 'payments', context: 'backend', canonical: 'payment-svc' }, alice);
    const clash = await accepted(REGISTER, { alias: 'payments', context: 'backend', canonical: 'billing' }, bob);
    expect(clash.body).toMatchObject({ events: [{ type: 'verity.aliases.AliasConflictDetected' }] });
    const [conflict] = (await conflicts(clash)).filter((c) => c.alias === 'payments');
    expect(conflict).toMatchObject({ owner: 'bob', existingOwner: 'alice', status: 'open' });
    const conflictId = String(conflict!.conflictId);

    for (const resolution of ['accept', 'reject'])
      await refusedAsNotOwner(RESOLVE_CONFLICT, { conflictId, resolution }, bob, {
        alias: 'payments',
        context: 'backend',
        owner: 'alice',
        conflictId,
      });
    expect(await resolve('payments')).toEqual({ status: 200, body: { canonical_name: 'payment-svc' } });

    const resolved = await accepted(RESOLVE_CONFLICT, { conflictId, resolution: 'accept' }, admin);
    expect(await resolve('payments', resolved)).toEqual({ status: 200, body: { canonical_name: 'billing' } });
    expect(await listed('payments', resolved)).toMatchObject({ owner: 'bob' });
    expect((await conflicts(resolved)).find((c) => c.conflictId === conflictId)).toMatchObject({
      status: 'accepted',
    });
  });

  it('the owner of the alias resolves a conflict over it herself', async () => {
    await accepted(REGISTER, { alias: 'refunds', context: 'backend', canonical: 'refund-svc' }, alice);
    const clash = await accepted(REGISTER, { alias: 'refunds', context: 'backend', canonical: 'billing' }, bob);
    const conflict = (await conflicts(clash)).find((c) => c.alias === 'refunds' && c.status === 'open');
    const rejected = await accepted(
      RESOLVE_CONFLICT,
      { conflictId: String(conflict!.conflictId), resolution: 'reject' },
      alice,
    );
    expect((await conflicts(rejected)).find((c) => c.conflictId === conflict!.conflictId)).toMatchObject({
      status: 'rejected',
    });
    expect(await resolve('refunds', rejected)).toEqual({ status: 200, body: { canonical_name: 'refund-svc' } });
  });
});
