import { bearer } from '../sandbox-credentials';

/** The `Authorization` header a bench client of `tenant` sends; throws for a tenant it was not made for. */
export type TenantCredentials = (tenant: string) => Record<string, string>;

/**
 * A token for each tenant a run sends as, signed up front with the sandbox's secret (`env`), as
 * a client holds one: the load measures the platform, not our signing. Writers by default:
 * they send commands and read them back.
 */
export async function tenantCredentials(
  env: NodeJS.ProcessEnv,
  tenants: readonly string[],
  roles: readonly string[] = ['writer'],
): Promise<TenantCredentials> {
  const headers = new Map(
    await Promise.all(
      [...new Set(tenants)].map(async (tenant) => [tenant, await bearer(env, { tenant, roles: [...roles] })] as const),
    ),
  );
  return (tenant) => {
    const found = headers.get(tenant);
    if (!found) throw new Error(`no bench credential for tenant ${tenant}`);
    return found;
  };
}
