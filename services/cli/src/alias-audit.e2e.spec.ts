import { runCli } from './testing/run-cli';
import { postCommand, startTestPlatform, type TestPlatform } from './testing/test-platform';

interface Row {
  action: string;
  alias?: string;
  context?: string;
  canonical?: string;
  actor: string;
  version: number;
  time: string;
}

describe('verity audit aliases: the alias registry audit log from its events', () => {
  let platform: TestPlatform;
  let registeredAt: string;

  beforeAll(async () => {
    platform = await startTestPlatform(['command-processor', 'gateway']);
    const send = async (type: string, body: Record<string, unknown>, tenant: string, actor: string) => {
      const res = await postCommand(platform, `aliases.${type}`, body, { 'X-Tenant-Id': tenant, 'X-Actor': actor });
      expect([type, res.status]).toEqual([type, 200]);
      return res;
    };
    await send('RegisterAlias', { alias: 'orders', context: 'backend', canonical: 'order-service' }, 'acme', 'alice');
    await send('RegisterAlias', { alias: 'cart', context: 'frontend', canonical: 'cart-ui' }, 'acme', 'alice');
    await new Promise((r) => setTimeout(r, 20));
    registeredAt = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await send('DeactivateAlias', { alias: 'orders', context: 'backend' }, 'acme', 'bob');
    await send('SetGovernance', { maxAliasesPerCanonical: 3 }, 'acme', 'root');
    await send('RegisterAlias', { alias: 'orders', context: 'backend', canonical: 'globex-orders' }, 'globex', 'gina');
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const audit = (...args: string[]) => runCli(platform.env, 'audit', 'aliases', ...args);
  const rows = (stdout: string): Row[] =>
    stdout
      .trimEnd()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Row);

  it("lists who registered, deactivated and changed what, of the tenant's registry only, chain verified", async () => {
    const run = await audit('--tenant', 'acme', '--json');
    expect(run.code).toBe(0);
    expect(rows(run.stdout).map((r) => [r.version, r.action, r.context, r.alias, r.canonical, r.actor])).toEqual([
      [1, 'AliasRegistered', 'backend', 'orders', 'order-service', 'alice'],
      [2, 'AliasRegistered', 'frontend', 'cart', 'cart-ui', 'alice'],
      [3, 'AliasDeactivated', 'backend', 'orders', 'order-service', 'bob'],
      [4, 'GovernanceSet', undefined, undefined, undefined, 'root'],
    ]);
    expect(run.stderr).toMatch(/^4 of 4 registry events; chain intact, last hash [0-9a-f]{64}$/m);

    const table = await audit('--tenant', 'acme', '--alias', 'orders');
    expect(table.stdout.split('\n')[0]).toMatch(
      /^TIME\s+ACTION\s+CONTEXT\s+ALIAS\s+CANONICAL\s+ACTOR\s+ON BEHALF OF\s+SOURCE\s+VERSION$/,
    );
    expect(table.stdout.trimEnd().split('\n').slice(1)).toEqual([
      expect.stringMatching(/^\S+Z\s+AliasRegistered\s+backend\s+orders\s+order-service\s+alice\s+-\s+api\s+1$/),
      expect.stringMatching(/^\S+Z\s+AliasDeactivated\s+backend\s+orders\s+order-service\s+bob\s+-\s+api\s+3$/),
    ]);
  });

  it('filters by time, and another tenant sees its own registry', async () => {
    const since = await audit('--tenant', 'acme', '--from', registeredAt, '--json');
    expect(rows(since.stdout).map((r) => r.action)).toEqual(['AliasDeactivated', 'GovernanceSet']);
    const globex = await audit('--tenant', 'globex', '--json');
    expect(rows(globex.stdout).map((r) => [r.alias, r.canonical, r.actor])).toEqual([
      ['orders', 'globex-orders', 'gina'],
    ]);
    const nobody = await audit('--tenant', 'initech', '--json');
    expect({ code: nobody.code, stdout: nobody.stdout }).toEqual({ code: 0, stdout: '' });
  });

  it('bad arguments are named usage errors', async () => {
    const run = await audit('--tenant', 'acme', '--context', 'middle');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('UsageError [usage]: --context middle: one of frontend, backend, system');
  });
});
